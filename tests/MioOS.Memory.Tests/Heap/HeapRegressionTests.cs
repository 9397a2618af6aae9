using System;
using System.Threading;
using System.Threading.Tasks;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>The original heap's bugs (leaked split tails, no alignment, kcalloc overflow) and the edge cases around them.</summary>
public class HeapRegressionTests
{
    [Fact]
    public void Split_tails_are_free_blocks_and_come_back_on_free()
    {
        using var heap = new HostedHeap(64UL << 20);
        HeapStats empty = heap.Stats();
        var ptrs = new uint[100];
        for (int i = 0; i < ptrs.Length; i++)
            ptrs[i] = heap.Kmalloc((uint)(i * 37 + 1));
        for (int i = 0; i < ptrs.Length; i += 2)
            heap.Kfree(ptrs[i]);
        for (int i = 1; i < ptrs.Length; i += 2)
            heap.Kfree(ptrs[i]);
        HeapStats s = heap.Stats();
        Assert.Equal(empty.FreeBytes, s.FreeBytes);
        Assert.Equal(1u, s.FreeBlocks);
        Assert.Equal(s.SizeBytes, s.LargestFree);
        Assert.True(heap.CheckIntegrity().IsOk);
    }

    [Fact]
    public void A_freed_block_is_reused_by_the_next_fit_first()
    {
        using var heap = new HostedHeap(64UL << 20);
        uint a = heap.Kmalloc(1000);
        uint b = heap.Kmalloc(10);
        heap.Kfree(a);
        Assert.Equal(a, heap.Kmalloc(500));            // first fit: the hole at the bottom, split
        Assert.Equal(a + 504 + 8, heap.Kmalloc(400));  // the split tail is a real free block
        Assert.True(b > a);
    }

    [Fact]
    public void Every_allocation_is_8_aligned_and_aligned_requests_honour_their_alignment()
    {
        using var heap = new HostedHeap(64UL << 20);
        for (uint size = 1; size < 100; size++)
            Assert.Equal(0u, heap.Kmalloc(size) % 8);
        for (int shift = 0; shift <= 16; shift++)
        {
            uint alignment = 1u << shift;
            uint p = heap.KmallocAligned(100, alignment);
            Assert.NotEqual(0u, p);
            Assert.Equal(0u, p % alignment);
            Assert.True(heap.Core.UsableSize(p) >= 100);
        }
        Assert.True(heap.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Aligned_request_takes_the_lowest_block_that_fits_even_when_a_larger_one_comes_first_by_size_pruning()
    {
        // A low hole of exactly need + lead fits a 4 KiB-aligned placement though it is smaller than
        // need + alignment - 1; pruning by that size alone would skip it for a higher, bigger block.
        using var heap = new HostedHeap(64UL << 20, HeapOptions.CrossCheck);
        uint first = heap.Kmalloc(8); // block at the segment start
        uint page = (first + 4096) & ~4095u;
        uint filler = heap.Kmalloc(page - first - 40); // so the next block's header sits just below the page
        uint hole = heap.Kmalloc(200);
        uint wall = heap.Kmalloc(16);
        Assert.Equal(page, hole); // the hole's payload is page-aligned
        heap.Kfree(hole);
        uint big = heap.Kmalloc(20000);
        uint p = heap.KmallocAligned(200, 4096);
        Assert.Equal(hole, p);
        Assert.Equal(0u, heap.Stats().CrossCheckFailures);
        Assert.True(filler != 0 && wall != 0 && big != 0);
    }

    [Fact]
    public void Kcalloc_overflow_returns_null_never_a_short_block()
    {
        using var heap = new HostedHeap(64UL << 20);
        Assert.Equal(0u, heap.Core.Kcalloc(0x10000, 0x10001, out HeapStatus status));
        Assert.Equal(HeapStatus.SizeOverflow, status);
        Assert.Equal(0u, heap.Kcalloc(uint.MaxValue, 2));
        Assert.Equal(0u, heap.Kcalloc(2, uint.MaxValue));
        Assert.Equal(0u, heap.Kcalloc(0, 10));
        Assert.Equal(0u, heap.Kmalloc(0));
        Assert.Equal(0u, heap.Kmalloc(uint.MaxValue));
        uint p = heap.Kcalloc(1000, 4);
        Assert.NotEqual(0u, p);
        Assert.Equal(0u, heap.Stats().MisuseCount);
        Assert.True(heap.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Kcalloc_zeroes_reused_memory()
    {
        using var heap = new HostedHeap(64UL << 20);
        uint p = heap.Kmalloc(4000);
        heap.Bytes(p, 4000).Fill(0xFF);
        heap.Kfree(p);
        uint q = heap.Kcalloc(100, 40);
        Assert.Equal(p, q);
        foreach (byte b in heap.Bytes(q, 4000))
            Assert.Equal(0, b);
    }

    [Fact]
    public void Krealloc_edge_cases()
    {
        using var heap = new HostedHeap(64UL << 20);
        uint p = heap.Krealloc(0, 50); // = kmalloc
        Assert.NotEqual(0u, p);
        heap.Bytes(p, 50).Fill(7);
        uint q = heap.Krealloc(p, 20); // shrink in place (tail too small to split: stays)
        Assert.Equal(p, q);
        uint r = heap.Krealloc(q, 2000); // grows into the free space after it, in place
        Assert.Equal(p, r);
        foreach (byte b in heap.Bytes(r, 20))
            Assert.Equal(7, b);
        uint wall = heap.Kmalloc(10);
        uint moved = heap.Krealloc(r, 5000); // no room after: moves, contents kept
        Assert.NotEqual(r, moved);
        foreach (byte b in heap.Bytes(moved, 20))
            Assert.Equal(7, b);
        Assert.Equal(0u, heap.Krealloc(moved, 0)); // frees
        Assert.Throws<HeapMisuseException>(() => heap.Kfree(moved));
        Assert.True(wall != 0 && heap.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Exhaustion_returns_null_and_leaves_the_heap_intact()
    {
        using var heap = new HostedHeap(64UL << 20, HeapOptions.None, growthLimit: HostedHeap.DefaultGrowthStart + (2u << 20));
        uint count = 0;
        while (heap.Kmalloc(100_000) != 0)
            count++;
        HeapStats before = heap.Stats();
        Assert.Equal(0u, heap.Kmalloc(4u << 20));
        Assert.Equal(0u, heap.KmallocAligned(100_000, 1u << 20));
        HeapStats after = heap.Stats();
        Assert.Equal(before.UsedBytes, after.UsedBytes);
        Assert.Equal(before.Segments, after.Segments);
        Assert.True(count > 40);
        Assert.True(heap.CheckIntegrity().IsOk);
        Assert.NotEqual(0u, heap.Kmalloc(100)); // small requests still fit in the leftovers
    }

    [Fact]
    public void Growth_adds_segments_and_a_wholly_free_grown_segment_goes_back()
    {
        using var heap = new HostedHeap(64UL << 20);
        uint big = heap.Kmalloc(5u << 20); // more than the initial 3 MiB
        Assert.NotEqual(0u, big);
        Assert.True(big >= HostedHeap.DefaultGrowthStart);
        Assert.Equal(2u, heap.Stats().Segments);
        Assert.True(heap.CheckIntegrity().IsOk);
        heap.Kfree(big);
        HeapStats s = heap.Stats();
        Assert.Equal(1u, s.Segments);
        Assert.Equal(1u, s.Releases);
        Assert.Equal(HostedHeap.DefaultGrowthStart, heap.Growth.Next);
        Assert.True(heap.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Spin_lock_keeps_the_heap_consistent_under_threads()
    {
        using var heap = new HostedHeap(256UL << 20);
        const int threads = 4, rounds = 20_000;
        long failures = 0;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var mine = new uint[64];
            var rng = new System.Random(t);
            for (int i = 0; i < rounds; i++)
            {
                int slot = rng.Next(mine.Length);
                if (mine[slot] != 0)
                {
                    Span<byte> bytes = heap.Bytes(mine[slot], 16);
                    foreach (byte b in bytes)
                        if (b != (byte)(t * 64 + slot))
                            Interlocked.Increment(ref failures);
                    heap.Kfree(mine[slot]);
                    mine[slot] = 0;
                }
                else
                {
                    uint p = rng.Next(3) == 0 ? heap.KmallocAligned((uint)rng.Next(16, 3000), 64) : heap.Kmalloc((uint)rng.Next(16, 3000));
                    heap.Bytes(p, 16).Fill((byte)(t * 64 + slot));
                    mine[slot] = p;
                }
            }
            foreach (uint p in mine)
                if (p != 0)
                    heap.Kfree(p);
        });
        Assert.Equal(0, failures);
        HeapStats s = heap.Stats();
        Assert.Equal(0u, s.Blocks);
        Assert.Equal(1u, s.FreeBlocks);
        Assert.True(heap.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Control_block_fits_its_reserved_space()
    {
        Assert.True(System.Runtime.CompilerServices.Unsafe.SizeOf<HeapControl>() <= HeapLayout.ControlBlockSize);
        Assert.Equal(20, System.Runtime.CompilerServices.Unsafe.SizeOf<MioOS.Memory.Collections.TreeLinks>());
        Assert.Equal(HeapLayout.FreeCopyOffset + 4, HeapLayout.MinBlock);
    }
}
