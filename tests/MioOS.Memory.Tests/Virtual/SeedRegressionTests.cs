using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>The bugs of the original MioOS VMM, each pinned by a test that would fail had it come back.</summary>
public class SeedRegressionTests
{
    [Fact]
    public void Large_page_address_is_encoded_in_bits_31_to_22_with_ps_not_as_a_table_address()
    {
        using VmmMachine m = VmmMachine.Booted(CpuModel.Max36);
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage4MiB(new VirtualAddress(0x80000000), new PhysicalAddress(0x2_0040_0000), PageFlags.Writable));
        uint pde = m.Pde(0x200);
        Assert.Equal(0x00400000u, pde & 0xFFC00000u); // physical bits 31:22
        Assert.Equal(2u, (pde >> 13) & 0xF); // physical bits 35:32 in PDE bits 16:13
        Assert.Equal(0u, pde & PageDirectoryEntry.LargeReservedMask(36));
        Assert.NotEqual(0u, pde & 0x80u); // PS
        Assert.Equal(0x2_0040_0000UL + 0x1234, m.Cpu.Translate(0x80001234, AccessKind.Read).Physical.Value);
    }

    [Fact]
    public void Is_mapped_and_free_page_read_a_large_entry_as_a_page_not_a_table()
    {
        using VmmMachine m = VmmMachine.Booted();
        int frames = m.Pool.Allocated.Count;
        // 0x800000 is where the pool's own frames are (the directory among them): read as a "page table" the
        // entry would show stray present entries, and freed as one it would hand the directory back.
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage4MiB(new VirtualAddress(0x80000000), new PhysicalAddress(0x800000), PageFlags.Writable));
        Assert.True(m.Vmm.IsMapped(new VirtualAddress(0x80000000)));
        Assert.True(m.Vmm.IsMapped(new VirtualAddress(0x803FFFFF)));
        Assert.Equal(PageSize.Size4MiB, m.Vmm.Query(new VirtualAddress(0x80200000)).Size);
        Assert.Equal(VmmStatus.Misaligned, m.Vmm.FreePage(new VirtualAddress(0x80001000)));
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(new VirtualAddress(0x80000000)));
        Assert.Equal(frames, m.Pool.Allocated.Count);
        Assert.False(m.Vmm.IsMapped(new VirtualAddress(0x80200000)));
    }

    [Fact]
    public void Identity_map_end_is_exclusive()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.IdentityMapRegion(new PhysicalAddress(0x3000000), new PhysicalAddress(0x3004000), PageFlags.Writable, IdentityMapPolicy.Small));
        Assert.True(m.Vmm.IsMapped(new VirtualAddress(0x3003000)));
        Assert.False(m.Vmm.IsMapped(new VirtualAddress(0x3004000)));
        // So a neighbouring range can be mapped right after it.
        Assert.Equal(VmmStatus.Ok, m.Vmm.IdentityMapRegion(new PhysicalAddress(0x3004000), new PhysicalAddress(0x3005000), PageFlags.Writable, IdentityMapPolicy.Small));
    }

    [Fact]
    public void Enabling_paging_sets_cr4_pse_without_overwriting_cr4()
    {
        using VmmMachine m = new(CpuModel.Max36);
        uint cr4 = (1u << 9) | (1u << 10) | ControlRegisters.Cr4PageGlobalEnable; // OSFXSR, OSXMMEXCPT, PGE
        m.Cpu.WriteCr4(cr4);
        Assert.Equal(VmmStatus.Ok, m.Vmm.EnablePaging(VmmMachine.Layout));
        Assert.Equal(cr4 | ControlRegisters.Cr4PageSizeExtensions, m.Cpu.Cr4);
    }
}
