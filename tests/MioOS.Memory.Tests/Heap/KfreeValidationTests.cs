using System.Runtime.InteropServices;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// kfree and krealloc refuse a pointer that is not a live block's payload (docs/memory-management.md, misuse
/// detection), leave the heap as it was, and report what they found and where: the damaged header's block for
/// <see cref="HeapStatus.HeaderCorrupted"/>, the pointer given for every other refusal. The scene: three 24-byte
/// allocations a, b, c (32-byte blocks) at the start of the initial segment, a freed.
/// </summary>
public unsafe class KfreeValidationTests
{
    /// <summary>kfree of <paramref name="pointer"/>, or krealloc of it to 100 bytes (which must answer 0); the status.</summary>
    private static HeapStatus Call(FreedFirstOfThreeScene s, bool realloc, uint pointer)
    {
        if (!realloc)
            return s.Heap.Core.Kfree(pointer);
        Assert.Equal(0u, s.Heap.Core.Krealloc(pointer, 100, out HeapStatus status));
        return status;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_first_blocks_header_address_is_a_foreign_pointer(bool realloc)
    {
        using var s = new FreedFirstOfThreeScene();
        Assert.Equal(s.SegmentStart, s.A);
        // 8 bytes before the first payload: its block would start inside the control block, outside every segment
        Assert.Equal(HeapStatus.ForeignPointer, Call(s, realloc, s.A));
        HeapStats st = s.Heap.Stats();
        Assert.Equal(HeapStatus.ForeignPointer, st.LastMisuse);
        Assert.Equal(s.A, st.LastMisuseAddress);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_block_whose_size_runs_past_its_segment_is_refused_at_the_pointer_and_stays_allocated(bool realloc)
    {
        using var s = new FreedFirstOfThreeScene();
        uint segmentEnd = s.SegmentStart + (HostedHeap.DefaultSize - HeapLayout.ControlBlockSize);
        s.Forge(s.B, (segmentEnd - s.B + 8) | HeapLayout.UsedFlag); // used, not last, 8 bytes too long
        uint usedBefore = s.Heap.Stats().UsedBytes;

        Assert.Equal(HeapStatus.BlockOrderBroken, Call(s, realloc, s.B + 8));

        HeapStats st = s.Heap.Stats();
        Assert.Equal(HeapStatus.BlockOrderBroken, st.LastMisuse);
        Assert.Equal(s.B + 8, st.LastMisuseAddress);
        Assert.Equal(2u, st.Blocks); // b and c
        Assert.Equal(usedBefore, st.UsedBytes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_freed_block_with_an_overwritten_header_is_refused_as_header_corrupted_at_the_block(bool realloc)
    {
        using var s = new FreedFirstOfThreeScene();
        uint junk = 0x1234_5678;
        MemoryMarshal.Write(s.Heap.Bytes(s.A + 4, 4), in junk); // a's check word

        Assert.Equal(HeapStatus.HeaderCorrupted, Call(s, realloc, s.A + 8));

        HeapStats st = s.Heap.Stats();
        Assert.Equal(HeapStatus.HeaderCorrupted, st.LastMisuse);
        Assert.Equal(s.A, st.LastMisuseAddress);
        Assert.Equal(2u, st.Blocks);
    }
    [Theory]
    [InlineData(1u)]
    [InlineData(4u)]
    [InlineData(7u)]
    public void A_pointer_below_8_is_a_foreign_pointer(uint pointer)
    {
        using var s = new FreedFirstOfThreeScene();
        Assert.Equal(HeapStatus.ForeignPointer, s.Heap.Core.Kfree(pointer));
        Assert.Equal(pointer, s.Heap.Stats().LastMisuseAddress);
    }

    [Fact]
    public void A_kfree_of_a_damaged_header_whose_segment_walk_meets_an_earlier_damaged_header_names_the_earlier_one()
    {
        using var s = new FreedFirstOfThreeScene();
        uint junk = 0x1234_5678;
        MemoryMarshal.Write(s.Heap.Bytes(s.B + 4, 4), in junk); // b's check word
        MemoryMarshal.Write(s.Heap.Bytes(s.C + 4, 4), in junk); // c's check word

        Assert.Equal(HeapStatus.HeaderCorrupted, s.Heap.Core.Kfree(s.C + 8));

        HeapStats st = s.Heap.Stats();
        Assert.Equal(s.B, st.LastMisuseAddress); // the walk from a (free, whole) stops at b, before reaching c
        Assert.Equal(2u, st.Blocks);
    }
    [Fact]
    public void A_segment_walk_steps_over_a_free_block_with_a_damaged_header_by_its_trusted_copy()
    {
        using var s = new FreedFirstOfThreeScene();
        uint junk = 0x1234_5678;
        MemoryMarshal.Write(s.Heap.Bytes(s.A + 4, 4), in junk); // a's check word (a is free: the tree holds it)
        MemoryMarshal.Write(s.Heap.Bytes(s.C + 4, 4), in junk); // c's check word

        Assert.Equal(HeapStatus.HeaderCorrupted, s.Heap.Core.Kfree(s.C + 8));

        // a's size comes from its copy (32), b's header is whole (32): the walk reaches c, a block boundary
        Assert.Equal(s.C, s.Heap.Stats().LastMisuseAddress);
    }
}
