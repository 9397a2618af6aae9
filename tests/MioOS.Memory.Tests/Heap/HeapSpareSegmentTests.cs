using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// The spare segment (docs/heap.md, "Growth"): a wholly free grown segment of at most 4 MiB stays for the next
/// growth instead of going back at once; a second one that empties sends the older spare back.
/// </summary>
public class HeapSpareSegmentTests
{
    private const uint Mib = 1u << 20;
    private const uint Arena = 256 * 1024;

    /// <summary>A heap whose initial segment is all taken, so the next request grows.</summary>
    private static (HostedHeap Heap, uint Filler) FullHeap()
    {
        var heap = new HostedHeap(64UL << 20, HeapOptions.CrossCheck);
        uint filler = heap.Kmalloc(heap.Stats().LargestFree - FirstFitModel.Header);
        Assert.NotEqual(0u, filler);
        Assert.Equal(0u, heap.Stats().FreeBlocks);
        return (heap, filler);
    }

    [Fact]
    public void Allocating_and_freeing_one_arena_over_and_over_grows_once_and_releases_nothing()
    {
        var (heap, _) = FullHeap();
        using (heap)
        {
            uint first = 0;
            for (int i = 0; i < 1000; i++)
            {
                uint arena = heap.Kmalloc(Arena);
                Assert.NotEqual(0u, arena);
                if (i == 0)
                    first = arena;
                Assert.Equal(first, arena); // the same place every time: the spare is reused, not a new segment
                Assert.Equal(0u, heap.Stats().SpareBytes);
                heap.Kfree(arena);
                Assert.Equal(Mib, heap.Stats().SpareBytes);
            }
            HeapStats s = heap.Stats();
            Assert.Equal(1u, s.Grows);
            Assert.Equal(0u, s.Releases);
            Assert.Equal(2u, s.Segments);
            Assert.True(heap.CheckIntegrity().IsOk);
            Assert.Equal(0u, s.CrossCheckFailures);
        }
    }

    [Fact]
    public void A_second_emptied_segment_becomes_the_spare_and_the_older_spare_goes_back()
    {
        var (heap, _) = FullHeap();
        using (heap)
        {
            uint a = heap.Kmalloc(Mib - 64);  // fills a first 1 MiB segment
            uint b = heap.Kmalloc(Mib - 64);  // and a second
            Assert.Equal(3u, heap.Stats().Segments);
            heap.Kfree(a);
            Assert.Equal(Mib, heap.Stats().SpareBytes);
            Assert.Equal(0u, heap.Stats().Releases);
            heap.Kfree(b);
            HeapStats s = heap.Stats();
            Assert.Equal(1u, s.Releases);
            Assert.Equal(2u, s.Segments);
            Assert.Equal(Mib, s.SpareBytes);
            Assert.True(heap.Core.Segment(1, out uint spareAt, out _));
            Assert.Equal(b - FirstFitModel.Header, spareAt); // the newly emptied one stayed
            Assert.True(heap.CheckIntegrity().IsOk);
        }
    }

    [Fact]
    public void A_segment_bigger_than_the_largest_spare_goes_back_at_once()
    {
        var (heap, _) = FullHeap();
        using (heap)
        {
            uint big = heap.Kmalloc(5 * Mib);
            Assert.Equal(2u, heap.Stats().Segments);
            heap.Kfree(big);
            HeapStats s = heap.Stats();
            Assert.Equal(1u, s.Segments);
            Assert.Equal(1u, s.Releases);
            Assert.Equal(0u, s.SpareBytes);
        }
    }

    [Fact]
    public void The_initial_segment_is_never_the_spare()
    {
        using var heap = new HostedHeap(64UL << 20, HeapOptions.CrossCheck);
        uint p = heap.Kmalloc(1000);
        heap.Kfree(p);
        Assert.Equal(0u, heap.Stats().SpareBytes);
        Assert.Equal(1u, heap.Stats().Segments);
    }

    [Fact]
    public void Trim_gives_the_spare_back_once_and_the_next_growth_asks_again()
    {
        var (heap, _) = FullHeap();
        using (heap)
        {
            uint arena = heap.Kmalloc(Arena);
            heap.Kfree(arena);
            Assert.Equal(Mib, heap.Stats().SpareBytes);
            Assert.Equal(Mib, heap.Trim());
            HeapStats trimmed = heap.Stats();
            Assert.Equal(0u, trimmed.SpareBytes);
            Assert.Equal(1u, trimmed.Releases);
            Assert.Equal(1u, trimmed.Segments);
            Assert.Equal(0u, heap.Trim()); // nothing kept: nothing to give
            Assert.NotEqual(0u, heap.Kmalloc(Arena));
            Assert.Equal(2u, heap.Stats().Grows);
            Assert.True(heap.CheckIntegrity().IsOk);
        }
    }
}
