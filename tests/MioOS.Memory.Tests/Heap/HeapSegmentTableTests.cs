using MioOS.Memory.Heap;
using MioOS.Memory.Hosting;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// The segment table at its edges (docs/heap.md "Segments"): a heap of exactly <see cref="HeapLayout.MaxSegments"/>
/// segments is whole and refuses to grow further; the spare segment (a wholly free grown segment of at most
/// <see cref="HeapLayout.SpareSegmentMaxBytes"/>, kept for the next growth) is whole at any place in the table, and
/// its size is its own, whatever the segments beside it measure.
/// </summary>
public class HeapSegmentTableTests
{
    private const uint MiB = 1u << 20;

    private static KernelHeap<SteppedGrowth> Create(SimulatedRam ram, uint start, uint size, SteppedGrowth.Ranges ranges)
    {
        Assert.Equal(HeapStatus.Ok,
            KernelHeap<SteppedGrowth>.Create(ram.DirectWindow, start, size, new SteppedGrowth(ranges), HeapOptions.None,
                out KernelHeap<SteppedGrowth> heap));
        return heap;
    }

    [Fact]
    public void A_heap_of_exactly_the_most_segments_is_whole_and_the_next_growth_is_refused()
    {
        using SimulatedRam ram = new(256UL << 20);
        SteppedGrowth.Ranges ranges = new() { Next = 64 * MiB, Limit = 256 * MiB };
        KernelHeap<SteppedGrowth> heap = Create(ram, 16 * MiB, 1 * MiB, ranges);
        // Each 1 MiB growth holds one allocation of 900 KiB and no second one.
        int allocations = 0;
        while (heap.Stats().Segments < HeapLayout.MaxSegments)
        {
            Assert.NotEqual(0u, heap.Kmalloc(900 * 1024));
            Assert.True(++allocations <= 200);
        }

        Assert.Equal((uint)HeapLayout.MaxSegments, heap.Stats().Segments);
        HeapCheck whole = heap.CheckIntegrity();
        Assert.True(whole.IsOk, $"{whole.Status} at 0x{whole.Address:X}");
        uint next = ranges.Next;
        Assert.Equal(0u, heap.Kmalloc(900 * 1024));
        Assert.Equal(next, ranges.Next); // the source was not asked
        Assert.True(heap.CheckIntegrity().IsOk);
    }

    [Fact]
    public void A_spare_segment_below_the_initial_one_first_in_the_table_is_whole()
    {
        using SimulatedRam ram = new(64UL << 20);
        SteppedGrowth.Ranges ranges = new() { Next = 6 * MiB, Limit = 12 * MiB };
        KernelHeap<SteppedGrowth> heap = Create(ram, 16 * MiB, 1 * MiB, ranges);
        uint big = heap.Kmalloc(900 * 1024);
        uint grown = heap.Kmalloc(900 * 1024); // does not fit beside the first: a segment at 6 MiB, below the heap
        Assert.Equal(6 * MiB, grown - 8);
        Assert.Equal(2u, heap.Stats().Segments);

        Assert.Equal(HeapStatus.Ok, heap.Kfree(grown));
        HeapStats stats = heap.Stats();
        Assert.Equal(2u, stats.Segments); // kept as the spare, not released
        Assert.Equal(0, ranges.Released);
        Assert.Equal(1 * MiB, stats.SpareBytes);
        HeapCheck whole = heap.CheckIntegrity();
        Assert.True(whole.IsOk, $"{whole.Status} at 0x{whole.Address:X}");
        Assert.NotEqual(0u, big);
    }

    [Fact]
    public void A_one_MiB_spare_after_an_initial_segment_larger_than_a_spare_may_be_is_whole()
    {
        using SimulatedRam ram = new(64UL << 20);
        SteppedGrowth.Ranges ranges = new() { Next = 32 * MiB, Limit = 48 * MiB };
        KernelHeap<SteppedGrowth> heap = Create(ram, 16 * MiB, 8 * MiB, ranges);
        Assert.NotEqual(0u, heap.Kmalloc(8 * MiB - 4096)); // the initial segment all but full
        uint grown = heap.Kmalloc(900 * 1024);
        Assert.Equal(32 * MiB, grown - 8);

        Assert.Equal(HeapStatus.Ok, heap.Kfree(grown));
        Assert.Equal(1 * MiB, heap.Stats().SpareBytes);
        HeapCheck whole = heap.CheckIntegrity();
        Assert.True(whole.IsOk, $"{whole.Status} at 0x{whole.Address:X}");
    }
}
