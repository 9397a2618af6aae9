using System.Runtime.InteropServices;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// The cross-check switch (<see cref="HeapOptions.CrossCheck"/>): every placement the free tree finds is compared with
/// a plain first-fit walk of the segments' block lists; a disagreement is counted and reported with the walk's block.
/// The walk covers the table's segments and nothing else: a segment given back leaves its old entry past the table's
/// end, and its memory still reads as one free block, which the walk must not take for a fit.
/// </summary>
public unsafe class HeapCrossCheckTests
{
    [Fact]
    public void A_tree_that_lost_its_free_blocks_disagrees_with_the_walk_and_the_walks_block_is_reported()
    {
        using HostedHeap heap = new(32UL << 20, HeapOptions.CrossCheck);
        uint a = heap.Kmalloc(24);
        uint b = heap.Kmalloc(24);
        heap.Kfree(a);
        Assert.Equal(0u, heap.Stats().CrossCheckFailures);
        ref HeapControl c = ref MemoryMarshal.AsRef<HeapControl>(heap.Bytes(heap.Core.Start, sizeof(HeapControl)));
        c.Root = 0; // the tree forgets every free block; the block list still has a's and the tail

        heap.Kmalloc(24);

        HeapStats stats = heap.Stats();
        // Two placements asked of the tree, both wrong: none before the growth it then makes, the new segment's block
        // after it, while the walk finds a's block both times.
        Assert.Equal(2u, stats.CrossCheckFailures);
        Assert.Equal(HeapStatus.CrossCheckMismatch, stats.LastMisuse);
        Assert.Equal(a - 8, stats.LastMisuseAddress); // the lowest free block that fits: a's
        Assert.NotEqual(0u, b);
    }

    [Fact]
    public void A_segment_given_back_is_not_walked_and_the_next_growth_agrees()
    {
        using HostedHeap heap = new(256UL << 20, HeapOptions.CrossCheck);
        uint big = heap.Kmalloc(6u << 20); // a grown segment larger than the spare the heap keeps: given back when free
        uint released = big - 8;
        heap.Kfree(big);
        HeapStats after = heap.Stats();
        Assert.Equal(1u, after.Segments);
        Assert.Equal(1u, after.Releases);
        ref HeapControl c = ref MemoryMarshal.AsRef<HeapControl>(heap.Bytes(heap.Core.Start, sizeof(HeapControl)));
        Assert.Equal(released, c.Segments[2]); // the old entry, past the table's end
        Assert.Equal(0u, MemoryMarshal.Read<uint>(heap.Bytes(released, 4)) & HeapLayout.UsedFlag); // still reads free

        Assert.NotEqual(0u, heap.Kmalloc(5u << 20)); // fits in no segment of the table: a growth

        HeapStats stats = heap.Stats();
        Assert.Equal(0u, stats.CrossCheckFailures);
        Assert.Equal(0u, stats.MisuseCount);
        Assert.True(heap.CheckIntegrity().IsOk);
    }
}
