using System.Runtime.InteropServices;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// The spare segment (docs/heap.md: one wholly free grown segment of at most 4 MiB is kept for the next growth) and
/// the integrity walk's check of it: a spare of exactly 4 MiB is kept and whole; the initial segment named as the
/// spare is refused as <see cref="HeapStatus.ControlCorrupted"/> at its start.
/// </summary>
public unsafe class HeapSpareIntegrityTests
{
    private const uint Mib = 1u << 20;

    private static (HostedHeap Heap, uint Filler) FullHeap()
    {
        var heap = new HostedHeap(64UL << 20);
        uint filler = heap.Kmalloc(heap.Stats().LargestFree - 8);
        Assert.NotEqual(0u, filler);
        return (heap, filler);
    }

    [Fact]
    public void A_grown_segment_of_exactly_4_MiB_freed_whole_is_kept_as_the_spare_and_the_heap_is_whole()
    {
        var (heap, _) = FullHeap();
        using (heap)
        {
            uint p = heap.Kmalloc(4 * Mib - 8); // one block of 4 MiB: a grown segment of exactly 4 MiB
            Assert.NotEqual(0u, p);
            Assert.Equal(1u, heap.Stats().Grows);
            heap.Kfree(p);
            HeapStats s = heap.Stats();
            Assert.Equal(4 * Mib, s.SpareBytes);
            Assert.Equal(0u, s.Releases);
            Assert.Equal(HeapStatus.Ok, heap.CheckIntegrity().Status);
        }
    }

    [Fact]
    public void The_initial_segment_named_as_the_spare_is_refused_as_control_corrupted_at_its_start()
    {
        var (heap, filler) = FullHeap();
        using (heap)
        {
            uint p = heap.Kmalloc(1000); // grows a segment
            heap.Kfree(p);               // which becomes the spare
            heap.Kfree(filler);          // the initial segment is now one free block too
            Assert.NotEqual(0u, heap.Stats().SpareBytes);
            Assert.True(heap.CheckIntegrity().IsOk);

            ref HeapControl c = ref MemoryMarshal.AsRef<HeapControl>(heap.Bytes(heap.Core.Start, sizeof(HeapControl)));
            c.SpareSegment = c.InitialStart;

            HeapCheck check = heap.CheckIntegrity();
            Assert.Equal(HeapStatus.ControlCorrupted, check.Status);
            Assert.Equal(heap.Core.Start + HeapLayout.ControlBlockSize, check.Address);
        }
    }
}
