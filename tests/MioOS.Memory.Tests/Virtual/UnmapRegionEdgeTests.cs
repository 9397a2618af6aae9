using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>
/// <see cref="VirtualMemoryManager{TCpu, TFrames}.UnmapRegion"/> at its edges: a 4 MiB page sticking out of either end
/// refuses the range, one only touching an end does not; a 4 MiB page inside goes whole and its neighbours stay; a
/// range reaching the reserved top is refused, one ending just below it is not; an empty range does nothing.
/// </summary>
public class UnmapRegionEdgeTests
{
    private const PageFlags Rw = PageFlags.Writable;
    private const uint Large = 0x40000000; // a 4 MiB page in slot 256, to 0xC00000
    private const uint ReservedBase = 0xFF800000; // slots 1022 (scratch) and 1023 (recursive)

    private static VirtualAddress V(uint a) => new(a);

    private static PhysicalAddress P(ulong a) => new(a);

    private static VmmMachine WithLargePage()
    {
        VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage4MiB(V(Large), P(0xC00000), Rw));
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(Large - 0x1000), P(0x300000), Rw)); // the page just below
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(Large + 0x400000), P(0x301000), Rw)); // the page just above
        return m;
    }

    [Theory]
    [InlineData(Large - 0x1000ul, Large + 0x1000ul)]     // ends 4 KiB into it
    [InlineData(Large + 0x3FF000ul, Large + 0x401000ul)] // starts in its last 4 KiB
    public void A_4_MiB_page_sticking_out_of_the_range_refuses_it_and_nothing_changes(ulong start, ulong end)
    {
        using VmmMachine m = WithLargePage();
        Assert.Equal(VmmStatus.InsideLargePage, m.Vmm.UnmapRegion(P(start), P(end)));
        Assert.True(m.Vmm.IsMapped(V(Large - 0x1000)));
        Assert.Equal(PageSize.Size4MiB, m.Vmm.Query(V(Large)).Size);
        Assert.True(m.Vmm.IsMapped(V(Large + 0x400000)));
    }

    [Fact]
    public void A_range_ending_where_a_4_MiB_page_starts_leaves_it_alone()
    {
        using VmmMachine m = WithLargePage();
        Assert.Equal(VmmStatus.Ok, m.Vmm.UnmapRegion(P(Large - 0x1000), P(Large)));
        Assert.False(m.Vmm.IsMapped(V(Large - 0x1000)));
        Assert.Equal(PageSize.Size4MiB, m.Vmm.Query(V(Large)).Size);
    }

    [Fact]
    public void A_range_starting_where_a_4_MiB_page_ends_leaves_it_alone()
    {
        using VmmMachine m = WithLargePage();
        Assert.Equal(VmmStatus.Ok, m.Vmm.UnmapRegion(P(Large + 0x400000), P(Large + 0x401000)));
        Assert.False(m.Vmm.IsMapped(V(Large + 0x400000)));
        Assert.Equal(PageSize.Size4MiB, m.Vmm.Query(V(Large)).Size);
    }

    [Fact]
    public void A_4_MiB_page_exactly_covered_goes_whole_and_its_neighbours_stay()
    {
        using VmmMachine m = WithLargePage();
        Assert.Equal(VmmStatus.Ok, m.Vmm.UnmapRegion(P(Large), P(Large + 0x400000)));
        Assert.False(m.Vmm.IsMapped(V(Large)));
        Assert.False(m.Vmm.IsMapped(V(Large + 0x3FF000)));
        Assert.True(m.Vmm.IsMapped(V(Large - 0x1000)));
        Assert.True(m.Vmm.IsMapped(V(Large + 0x400000)));
    }

    [Fact]
    public void An_empty_range_inside_a_4_MiB_page_does_nothing()
    {
        using VmmMachine m = WithLargePage();
        Assert.Equal(VmmStatus.Ok, m.Vmm.UnmapRegion(P(Large + 0x1000), P(Large + 0x1000)));
        Assert.Equal(PageSize.Size4MiB, m.Vmm.Query(V(Large)).Size);
    }

    [Fact]
    public void A_range_reaching_into_the_reserved_top_is_refused_and_nothing_changes()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(ReservedBase - 0x1000), P(0x300000), Rw));
        Assert.Equal(VmmStatus.ReservedRange, m.Vmm.UnmapRegion(P(ReservedBase - 0x1000), P(ReservedBase + 0x1000)));
        Assert.True(m.Vmm.IsMapped(V(ReservedBase - 0x1000)));
    }

    [Fact]
    public void A_range_ending_where_the_reserved_top_starts_is_unmapped()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(ReservedBase - 0x1000), P(0x300000), Rw));
        Assert.Equal(VmmStatus.Ok, m.Vmm.UnmapRegion(P(ReservedBase - 0x1000), P(ReservedBase)));
        Assert.False(m.Vmm.IsMapped(V(ReservedBase - 0x1000)));
    }
}
