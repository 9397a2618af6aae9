using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>Global pages: set up when the CPU has PGE, kept across CR3 loads, still dropped by <c>invlpg</c> on unmap.</summary>
public class GlobalPageTests
{
    private static VirtualAddress V(uint v) => new(v);
    private static PhysicalAddress P(ulong p) => new(p);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_cr3_switch_keeps_kernel_translations_cached_only_when_they_are_global(bool pge)
    {
        using VmmMachine m = VmmMachine.Booted(CpuModel.Qemu32.With(CpuFeatureFlags.Pge, pge));
        Assert.Equal(pge, (m.Cpu.Cr4 & ControlRegisters.Cr4PageGlobalEnable) != 0);
        uint heap = (uint)VmmMachine.HeapStart;
        Assert.Equal(pge, (m.Pte(heap) & (uint)PageFlags.Global) != 0); // the kernel's identity pages are Global with PGE
        // A page in the user part asked for as Global is not: it would outlive the switch into another space.
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x90000000), P(0x300000), PageFlags.Writable | PageFlags.Global));
        Assert.Equal(0u, m.Pte(0x90000000) & (uint)PageFlags.Global);
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out PhysicalAddress space));
        Assert.False(m.Cpu.Translate(heap, AccessKind.Read).IsFault);
        Assert.False(m.Cpu.Translate(0x90000000, AccessKind.Read).IsFault);
        Assert.True(m.Cpu.Tlb.Contains(heap) && m.Cpu.Tlb.Contains(0x90000000));
        Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(space));
        Assert.Equal(pge, m.Cpu.Tlb.Contains(heap));
        Assert.False(m.Cpu.Tlb.Contains(0x90000000));
        Assert.True(m.Cpu.Translate(0x90000000, AccessKind.Read).IsFault);
        Translation t = m.Cpu.Translate(heap, AccessKind.Read);
        Assert.Equal(pge, t.FromTlb);
        Assert.Equal((ulong)heap, t.Physical.Value);
    }

    [Fact]
    public void Unmapping_a_global_kernel_page_is_seen_in_every_space()
    {
        using VmmMachine m = VmmMachine.Booted(CpuModel.Max36);
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40000000), P(0x300000), PageFlags.Writable | PageFlags.Global));
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage4MiB(V(0x40800000), P(0x1000000), PageFlags.Writable | PageFlags.Global));
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out PhysicalAddress a));
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out PhysicalAddress b));
        PhysicalAddress[] spaces = [m.Vmm.KernelDirectory, a, b];
        foreach (PhysicalAddress s in spaces)
        {
            Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(s));
            Assert.Equal(0x300000UL, m.Cpu.Translate(0x40000000, AccessKind.Read).Physical.Value);
            Assert.Equal(0x1000123UL, m.Cpu.Translate(0x40800123, AccessKind.Read).Physical.Value);
        }
        Assert.True(m.Cpu.Tlb.Contains(0x40000000) && m.Cpu.Tlb.Contains(0x40800000)); // global: survived two CR3 loads
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(V(0x40000000))); // from space b
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(V(0x40800000)));
        foreach (PhysicalAddress s in spaces)
        {
            Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(s));
            Assert.True(m.Cpu.Translate(0x40000000, AccessKind.Read).IsFault);
            Assert.True(m.Cpu.Translate(0x40800123, AccessKind.Read).IsFault);
            Assert.Equal(0u, m.ReadPhysical(s.Value + 0x102 * 4)); // the 4 MiB entry is gone from every directory
            Assert.Equal(0u, m.ReadPhysical(s.Value + 0x100 * 4)); // and so is the emptied kernel table
        }
    }

    [Fact]
    public void A_kernel_table_made_after_a_space_exists_shows_in_that_space()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out PhysicalAddress older));
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x7FC00000), P(0x300000), PageFlags.Writable)); // the last kernel slot
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage4MiB(V(0x60000000), P(0x800000), PageFlags.Writable));
        Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(older));
        Assert.Equal(0x300000UL, m.Cpu.Translate(0x7FC00000, AccessKind.Read).Physical.Value);
        Assert.Equal(0x800010UL, m.Cpu.Translate(0x60000010, AccessKind.Read).Physical.Value);
        Assert.Equal(VmmStatus.OutsideKernelSpace, m.Vmm.IdentityMapKernelRegion(P(0x7FFFF000), P(0x80001000)));
        Assert.True(m.Cpu.Translate(0x7FFFF000, AccessKind.Read).IsFault);
    }
}

/// <summary>Mapping into an address space that is not the current one.</summary>
public class MapIntoOtherSpaceTests
{
    [Fact]
    public void AllocPageIn_and_FreePageIn_reach_another_space_and_leave_the_current_one_loaded()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out PhysicalAddress space));
        int frames = m.Pool.Allocated.Count;
        uint kernelCr3 = m.Cpu.Cr3;
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPageIn(space, new VirtualAddress(0x90000000), new PhysicalAddress(0x300000), PageFlags.Writable | PageFlags.User));
        Assert.Equal(kernelCr3, m.Cpu.Cr3);
        Assert.Equal(m.Vmm.KernelDirectory, m.Vmm.CurrentDirectory);
        Assert.Equal(frames + 1, m.Pool.Allocated.Count); // the space's private table
        Assert.True(m.Cpu.Translate(0x90000000, AccessKind.Read).IsFault);
        Assert.Equal(VmmStatus.AlreadyMapped, m.Vmm.AllocPageIn(space, new VirtualAddress(0x90000000), new PhysicalAddress(0x300000), PageFlags.Writable));
        Assert.Equal(VmmStatus.InvalidAddressSpace, m.Vmm.AllocPageIn(new PhysicalAddress(0x300000), new VirtualAddress(0x90000000), new PhysicalAddress(0x300000), PageFlags.Writable));
        Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(space));
        Assert.Equal(0x300000UL, m.Cpu.Translate(0x90000000, AccessKind.Read).Physical.Value);
        Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(m.Vmm.KernelDirectory));
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePageIn(space, new VirtualAddress(0x90000000)));
        Assert.Equal(frames, m.Pool.Allocated.Count);
        Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(space));
        Assert.True(m.Cpu.Translate(0x90000000, AccessKind.Read).IsFault);
    }
}
