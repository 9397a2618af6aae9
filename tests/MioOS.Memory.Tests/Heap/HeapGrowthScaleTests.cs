using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>Growth by larger segments as the table fills (docs/heap.md, "Growth"): the 96-slot table no longer
/// caps the heap near 100 MiB, and a source too small for the larger step still gives the 1 MiB one.</summary>
public class HeapGrowthScaleTests
{
    [Theory]
    [InlineData(HeapLayout.KernelGranule)]
    [InlineData(HeapLayout.MallocGranule)]
    public void A_heap_grows_to_600_MiB_in_1_MiB_blocks_and_gives_it_all_back(uint granule)
    {
        // 1 MiB steps alone would stop after 96 segments (some 100 MiB).
        using var heap = new HostedHeap(1UL << 30, granule: granule);
        var blocks = new List<uint>();
        for (int i = 0; i < 600; i++)
        {
            uint p = heap.Kmalloc(1_000_000);
            Assert.True(p != 0, $"block {i} refused with {heap.Stats().Segments} segments");
            Assert.Equal(0u, p % granule);
            blocks.Add(p);
        }
        HeapStats grown = heap.Stats();
        Assert.True(grown.Segments < HeapLayout.MaxSegments, $"{grown.Segments} segments");
        Assert.True(grown.SizeBytes >= 600_000_000u);
        Assert.True(heap.CheckIntegrity().IsOk);
        foreach (uint p in blocks)
            heap.Kfree(p);
        heap.Core.Trim(); // the one spare segment back too
        HeapStats empty = heap.Stats();
        Assert.Equal(1u, empty.Segments);
        Assert.Equal(empty.SizeBytes, empty.FreeBytes);
        Assert.True(heap.CheckIntegrity().IsOk);
    }

    [Fact]
    public void A_source_too_small_for_the_larger_step_still_gives_the_least_that_fits()
    {
        // The initial 64 KiB, then room for 7 segments of 1 MiB and 1.5 MiB more: with 8 segments in the table the
        // next growth asks for 2 MiB, is refused, and takes 1 MiB instead; the one after finds no 1 MiB either.
        uint start = HostedHeap.DefaultStart, size = 64 * 1024;
        uint growthStart = start + size + (1u << 20);
        using var heap = new HostedHeap(64UL << 20, HeapOptions.None, growthStart + (7u << 20) + (1536u << 10), start, size);
        for (int i = 0; i < 8; i++)
            Assert.True(heap.Kmalloc(900_000) != 0, $"block {i} refused");
        HeapStats s = heap.Stats();
        Assert.Equal(9u, s.Segments);
        Assert.Equal(8u << 20, s.SizeBytes - (size - HeapLayout.ControlBlockSize));
        Assert.Equal(0u, heap.Kmalloc(900_000));
        Assert.True(heap.CheckIntegrity().IsOk);
    }
}
