using System.Collections.Generic;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>
/// The VMM's list of address spaces: how many it holds, which directories it takes as spaces, that a kernel entry
/// goes into the kernel directory and every listed one (and nowhere else), and that a call made in a space enters
/// it only when it is not current already.
/// </summary>
public class AddressSpaceListTests
{
    private const PageFlags Rw = PageFlags.Writable;

    // The list fills the VMM's record frame after its first 64 bytes: (4096 - 64) / 4 = 1008 directories.
    private const int ListCapacity = 1008;

    private static VirtualAddress V(uint a) => new(a);

    private static PhysicalAddress P(ulong a) => new(a);

    [Fact]
    public void The_list_holds_1008_spaces_and_refuses_the_next()
    {
        using VmmMachine m = VmmMachine.Booted();
        PhysicalAddress kernel = m.Vmm.KernelDirectory;
        List<PhysicalAddress> spaces = new();
        for (int i = 0; i < ListCapacity; i++)
        {
            Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out PhysicalAddress d));
            spaces.Add(d);
        }
        Assert.Equal((uint)ListCapacity, m.Vmm.AddressSpaceCount);
        int frames = m.Pool.Allocated.Count;
        Assert.Equal(VmmStatus.TooManyAddressSpaces, m.Vmm.CreateAddressSpace(out PhysicalAddress none));
        Assert.Equal(0ul, none.Value);
        Assert.Equal(frames, m.Pool.Allocated.Count);
        Assert.Equal(kernel.Value, m.Vmm.KernelDirectory.Value);
        // Every one of them is still a space: the first, a middle one and the last can be entered and left.
        foreach (PhysicalAddress d in new[] { spaces[0], spaces[ListCapacity / 2], spaces[ListCapacity - 1] })
        {
            Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(d));
            Assert.Equal(d.Value, (ulong)m.Cpu.Cr3);
            Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(kernel));
        }
        Assert.Equal(VmmStatus.Ok, m.Vmm.DestroyAddressSpace(spaces[ListCapacity - 1]));
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out _));
    }

    [Fact]
    public void A_space_made_before_paging_gets_the_kernel_part_of_the_kernel_directory()
    {
        using VmmMachine m = new(); // paging off: directories are reached at their physical addresses
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x00400000), P(0x300000), Rw)); // a table in kernel slot 1
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out PhysicalAddress d));
        uint kernelPde = m.ReadPhysical(m.Vmm.KernelDirectory.Value + 1 * 4);
        Assert.NotEqual(0u, kernelPde & 1);
        Assert.Equal(kernelPde, m.ReadPhysical(d.Value + 1 * 4));
        Assert.Equal(0u, m.ReadPhysical(d.Value + 512 * 4)); // the user part is empty
        Assert.Equal((uint)d.Value | 0x3u, m.ReadPhysical(d.Value + 1023 * 4)); // its own recursive entry, P and R/W
    }

    [Theory]
    [InlineData(0x800ul)]           // misaligned by half a frame
    [InlineData(0x1_0000_0000ul)]   // the same directory 4 GiB higher: its low 32 bits name a listed directory
    public void A_directory_near_a_listed_one_is_not_a_space(ulong offset)
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out PhysicalAddress d));
        uint cr3 = m.Cpu.Cr3;
        Assert.Equal(VmmStatus.InvalidAddressSpace, m.Vmm.SwitchAddressSpace(P(d.Value + offset)));
        Assert.Equal(cr3, m.Cpu.Cr3);
        Assert.Equal(m.Vmm.KernelDirectory.Value, m.Vmm.CurrentDirectory.Value);
    }

    [Fact]
    public void Freeing_in_a_directory_that_is_not_a_space_frees_nothing_in_the_current_one()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40000000), P(0x300000), Rw));
        Assert.Equal(VmmStatus.InvalidAddressSpace, m.Vmm.FreePageIn(P(0x900000), V(0x40000000)));
        Assert.True(m.Vmm.IsMapped(V(0x40000000)));
    }

    [Fact]
    public void A_call_made_in_the_current_space_loads_no_cr3()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out PhysicalAddress d));
        Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(d));
        long loads = m.Cpu.Cr3LoadCount;
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPageIn(d, V(0x40000000), P(0x300000), Rw));
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePageIn(d, V(0x40000000)));
        Assert.Equal(loads, m.Cpu.Cr3LoadCount);
        // In another space: in and out again, two loads.
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPageIn(m.Vmm.KernelDirectory, V(0x40000000), P(0x300000), Rw));
        Assert.Equal(loads + 2, m.Cpu.Cr3LoadCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_new_kernel_table_goes_into_every_listed_directory_and_nowhere_else(bool withSpace)
    {
        using VmmMachine m = VmmMachine.Booted();
        PhysicalAddress d = default;
        if (withSpace)
            Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out d));
        // Frame 0 (real-mode vectors, BIOS data) is never the VMM's: mark it to see a stray write.
        for (uint a = 0; a < 0x1000; a += 4)
            m.WritePhysical(a, 0xA5A5A5A5);
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x10000000), P(0x300000), Rw)); // kernel slot 64, no table yet
        uint pde = m.ReadPhysical(m.Vmm.KernelDirectory.Value + 64 * 4);
        Assert.NotEqual(0u, pde & 1);
        if (withSpace)
            Assert.Equal(pde & ~0x60u, m.ReadPhysical(d.Value + 64 * 4) & ~0x60u); // A and D are the CPU's
        for (uint a = 0; a < 0x1000; a += 4)
            Assert.Equal(0xA5A5A5A5u, m.ReadPhysical(a));
    }
}
