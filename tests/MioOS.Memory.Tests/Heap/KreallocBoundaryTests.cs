using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// krealloc at its boundaries (docs/heap.md, krealloc): in place when the block already has room or its free next
/// neighbour gives it; a left-over of at least 32 bytes (the smallest block) becomes a free block, less stays in the
/// block. Sizes by hand: a request of n bytes takes a block of n + 8 rounded up to 8, at least 32 (24 bytes take 32,
/// 56 take 64).
/// </summary>
public class KreallocBoundaryTests
{
    [Fact]
    public void The_same_size_with_a_used_next_neighbour_stays_in_place()
    {
        using var h = new HostedHeap(32UL << 20);
        uint a = h.Kmalloc(24);
        h.Kmalloc(24);
        Assert.Equal(a, h.Krealloc(a, 24));
        Assert.Equal(a, h.Krealloc(a, 20)); // 20 + 8 = 28, still the 32-byte block
        Assert.True(h.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Shrinking_a_64_byte_block_to_32_gives_the_other_32_back_as_a_free_block()
    {
        using var h = new HostedHeap(32UL << 20);
        uint x = h.Kmalloc(56);
        uint fence = h.Kmalloc(24);
        HeapStats before = h.Stats();

        Assert.Equal(x, h.Krealloc(x, 24));

        HeapStats after = h.Stats();
        Assert.Equal(before.UsedBytes - 32, after.UsedBytes);
        Assert.Equal(before.FreeBlocks + 1, after.FreeBlocks);
        Assert.Equal(x + 32, h.Kmalloc(24)); // the freed 32 bytes are the first fit
        Assert.True(fence > x);
        Assert.True(h.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Growing_by_exactly_the_free_next_block_takes_it_whole_in_place()
    {
        using var h = new HostedHeap(32UL << 20);
        uint x = h.Kmalloc(24), n = h.Kmalloc(24);
        h.Kmalloc(24);
        h.Kfree(n);
        uint freeBlocksWithN = h.Stats().FreeBlocks;

        Assert.Equal(x, h.Krealloc(x, 56)); // 64 = 32 + 32

        Assert.Equal(freeBlocksWithN - 1, h.Stats().FreeBlocks);
        Assert.True(h.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Growing_into_a_free_next_block_that_leaves_exactly_32_bytes_leaves_them_free()
    {
        using var h = new HostedHeap(32UL << 20);
        uint x = h.Kmalloc(24), n = h.Kmalloc(56);
        h.Kmalloc(24);
        h.Kfree(n);
        uint freeBlocksWithN = h.Stats().FreeBlocks;

        Assert.Equal(x, h.Krealloc(x, 56)); // 64 of the 32 + 64: 32 left

        Assert.Equal(freeBlocksWithN, h.Stats().FreeBlocks);
        Assert.Equal(x - 8 + 64 + 8, h.Kmalloc(24)); // the 32 left are the first fit
        Assert.True(h.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Growing_the_last_block_into_the_free_tail_raises_the_peak_extent()
    {
        using var h = new HostedHeap(32UL << 20);
        uint x = h.Kmalloc(24);
        Assert.Equal(32u, h.Stats().PeakInUseExtent);

        Assert.Equal(x, h.Krealloc(x, 1000)); // 1008 bytes, in place from the tail

        HeapStats st = h.Stats();
        Assert.Equal(1008u, st.InUseExtent);
        Assert.Equal(1008u, st.PeakInUseExtent);
        Assert.True(h.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Growing_the_block_that_ends_a_full_segment_moves_it_and_reports_nothing()
    {
        // a 4 KiB heap: the 1 KiB control block and a 3 KiB segment, filled by one block of 3,072 bytes
        using var h = new HostedHeap(32UL << 20, size: 4096);
        uint p = h.Kmalloc(3064);
        Assert.NotEqual(0u, p);
        h.Bytes(p, 3064).Fill(0x5A);

        uint q = h.Krealloc(p, 4000);

        Assert.NotEqual(0u, q);
        Assert.NotEqual(p, q);
        Assert.Equal(0u, h.Stats().MisuseCount);
        foreach (byte b in h.Bytes(q, 3064))
            Assert.Equal(0x5A, b);
        Assert.True(h.CheckIntegrity().IsOk);
    }

    [Fact]
    public void A_debug_krealloc_that_finds_no_room_returns_0_and_leaves_the_block_and_the_heap_whole()
    {
        using var h = new HostedHeap(32UL << 20, HeapOptions.Debug, growthLimit: 0);
        uint p = h.Kmalloc(20);
        Assert.Equal(0u, h.Core.Krealloc(p, 64u << 20, out HeapStatus status)); // 64 MiB in 32 MiB of RAM
        Assert.NotEqual(HeapStatus.Ok, status);
        Assert.Equal(0u, h.Stats().MisuseCount);
        Assert.True(h.CheckIntegrity().IsOk);
        h.Kfree(p);
    }

    [Fact]
    public void A_debug_krealloc_of_a_block_whose_canary_is_overwritten_is_refused_and_reported_at_the_block()
    {
        using var h = new HostedHeap(32UL << 20, HeapOptions.Debug);
        uint p = h.Kmalloc(20);
        h.Bytes(p + 20, 1)[0] ^= 0xFF; // the first byte past the 20 asked for

        Assert.Equal(0u, h.Core.Krealloc(p, 40, out HeapStatus status));

        Assert.Equal(HeapStatus.CanaryOverwritten, status);
        HeapStats st = h.Stats();
        Assert.Equal(1u, st.MisuseCount);
        Assert.Equal(HeapStatus.CanaryOverwritten, st.LastMisuse);
        Assert.Equal(p - 8, st.LastMisuseAddress);
    }
}
