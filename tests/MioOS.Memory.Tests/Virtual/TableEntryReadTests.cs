using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>
/// Reading raw entries and translations: <c>ReadTableEntry</c> gives the PTE itself, and 0 for a slot with no table
/// (empty, or a 4 MiB page); <c>VirtualToPhysical</c> says <see cref="VmmStatus.NotMapped"/> for an unmapped address.
/// </summary>
public class TableEntryReadTests
{
    private static VirtualAddress V(uint a) => new(a);

    private static PhysicalAddress P(ulong a) => new(a);

    [Fact]
    public void ReadTableEntry_gives_the_pte_of_that_slot_and_index()
    {
        using VmmMachine m = VmmMachine.Booted();
        // 0x40005000: slot 0x100, index 5. P and R/W: 0x300000 | 0x3.
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40005000), P(0x300000), PageFlags.Writable));
        Assert.Equal(0x300003u, m.Vmm.ReadTableEntry(0x100, 5).Value);
        Assert.Equal(0u, m.Vmm.ReadTableEntry(0x100, 4).Value);
    }

    [Fact]
    public void ReadTableEntry_of_a_slot_without_a_table_is_0()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage4MiB(V(0x40000000), P(0xC00000), PageFlags.Writable));
        Assert.Equal(0u, m.Vmm.ReadTableEntry(0x100, 0).Value); // a 4 MiB page
        Assert.Equal(0u, m.Vmm.ReadTableEntry(0x101, 0).Value); // empty
    }

    [Fact]
    public void VirtualToPhysical_of_an_unmapped_address_is_not_mapped()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.NotMapped, m.Vmm.VirtualToPhysical(V(0x40000123), out _));
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40000000), P(0x300000), PageFlags.Writable));
        Assert.Equal(VmmStatus.Ok, m.Vmm.VirtualToPhysical(V(0x40000123), out PhysicalAddress phys));
        Assert.Equal(0x300123ul, phys.Value);
    }
}
