using System.Runtime.InteropServices;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// The integrity walk (docs/memory-management.md, the heap's integrity check) on a heap damaged by hand, one thing
/// at a time: each damage is refused with its own status and the address it names. The scene: three 24-byte
/// allocations a, b, c (32-byte blocks: 8 bytes of header and 24 of payload) at the start of the initial segment,
/// then a freed, so the segment holds a (free, 32), b (used, 32), c (used, 32) and the free tail, four blocks.
/// </summary>
public unsafe class HeapIntegrityRefusalTests
{
    [Fact]
    public void The_undamaged_scene_is_whole_and_the_walk_counts_its_four_blocks()
    {
        using var s = new FreedFirstOfThreeScene();
        Assert.Equal(s.A + 32, s.B);
        Assert.Equal(s.B + 32, s.C);
        HeapCheck check = s.Check();
        Assert.Equal(HeapStatus.Ok, check.Status);
        Assert.Equal(4u, check.BlocksWalked);
    }

    [Theory]
    [InlineData("magic")]
    [InlineData("no segments")]
    [InlineData("97 segments")]
    [InlineData("granule 12")]
    public void A_damaged_control_block_is_refused_as_control_corrupted_at_the_control_block(string damage)
    {
        using var s = new FreedFirstOfThreeScene();
        ref HeapControl c = ref s.Control;
        switch (damage)
        {
            case "magic": c.Magic ^= 1; break;
            case "no segments": c.SegmentCount = 0; break;
            case "97 segments": c.SegmentCount = HeapLayout.MaxSegments + 1; break;
            case "granule 12": c.Granule = 12; break;
        }
        HeapCheck check = s.Check();
        Assert.Equal(HeapStatus.ControlCorrupted, check.Status);
        Assert.Equal(s.Heap.Core.Start, check.Address);
        Assert.Equal(0u, check.BlocksWalked);
    }

    [Theory]
    [InlineData("length off the granule")]
    [InlineData("start off the granule")]
    [InlineData("outside the window")]
    public void A_damaged_segment_entry_is_refused_as_control_corrupted_at_the_segment_start(string damage)
    {
        using var s = new FreedFirstOfThreeScene();
        ref HeapControl c = ref s.Control;
        uint start = c.Segments[0];
        Assert.Equal(s.A, start);
        switch (damage)
        {
            case "length off the granule": c.Segments[1] += 4; break;
            case "start off the granule": start += 4; c.Segments[0] = start; break;
            case "outside the window": start = 0xF000_0000 - 8; c.Segments[0] = start; break; // RAM is 32 MiB
        }
        HeapCheck check = s.Check();
        Assert.Equal(HeapStatus.ControlCorrupted, check.Status);
        Assert.Equal(start, check.Address);
        Assert.Equal(0u, check.BlocksWalked);
    }

    [Theory]
    [InlineData("last flag in the middle")]
    [InlineData("size past the segment end")]
    [InlineData("bit 2 set")]
    public void A_block_header_that_breaks_the_order_is_refused_at_that_block_after_the_blocks_before_it(string damage)
    {
        using var s = new FreedFirstOfThreeScene();
        uint word = s.Word(s.B);
        Assert.Equal(32u | HeapLayout.UsedFlag, word);
        uint segmentEnd = s.Control.Segments[0] + s.Control.Segments[1];
        switch (damage)
        {
            case "last flag in the middle": word |= HeapLayout.LastFlag; break;
            // used, no Last flag, and 8 bytes longer than what is left of the segment from b
            case "size past the segment end": word = (segmentEnd - s.B + 8) | HeapLayout.UsedFlag; break;
            case "bit 2 set": word |= 4; break;
        }
        s.Forge(s.B, word);
        HeapCheck check = s.Check();
        Assert.Equal(HeapStatus.BlockOrderBroken, check.Status);
        Assert.Equal(s.B, check.Address);
        Assert.Equal(1u, check.BlocksWalked); // a
    }

    [Fact]
    public void A_free_block_after_a_free_block_is_refused_as_adjacent_free_blocks_at_the_second()
    {
        using var s = new FreedFirstOfThreeScene();
        uint word = 32; // b made free by hand: not used, not last, its trusted copy written too
        s.Forge(s.B, word);
        MemoryMarshal.Write(s.Heap.Bytes(s.B + HeapLayout.FreeCopyOffset, 4), in word);
        HeapCheck check = s.Check();
        Assert.Equal(HeapStatus.AdjacentFreeBlocks, check.Status);
        Assert.Equal(s.B, check.Address);
        Assert.Equal(2u, check.BlocksWalked);
    }

    [Theory]
    [InlineData(16u)] // MaxSize: the root claims a larger largest free block
    [InlineData(12u)] // Height: the root's subtree height off by one, its largest size still right
    public void A_tree_whose_root_links_are_damaged_is_refused_as_tree_mismatch_at_the_root(uint field)
    {
        using var s = new FreedFirstOfThreeScene();
        uint root = s.Control.Root;
        Assert.NotEqual(0u, root);
        // TreeLinks in a free block: Left, Right, Parent, Height, MaxSize, from FreeLinksOffset
        uint at = root + HeapLayout.FreeLinksOffset + field;
        uint value = MemoryMarshal.Read<uint>(s.Heap.Bytes(at, 4)) + (field == 16 ? 8u : 1u);
        MemoryMarshal.Write(s.Heap.Bytes(at, 4), in value);
        HeapCheck check = s.Check();
        Assert.Equal(HeapStatus.TreeMismatch, check.Status);
        Assert.Equal(root, check.Address);
        Assert.Equal(4u, check.BlocksWalked);
    }

    [Theory]
    [InlineData("used")]
    [InlineData("free")]
    [InlineData("blocks")]
    [InlineData("free blocks")]
    [InlineData("tail free")]
    [InlineData("total")]
    [InlineData("total short")]
    [InlineData("peak")]
    public void A_counter_that_disagrees_with_the_blocks_is_refused_as_totals_mismatch_at_the_control_block(string counter)
    {
        using var s = new FreedFirstOfThreeScene();
        ref HeapControl c = ref s.Control;
        switch (counter)
        {
            case "used": c.UsedBytes += 8; break;
            case "free": c.FreeBytes += 8; break;
            case "blocks": c.Blocks += 1; break;
            case "free blocks": c.FreeBlocks += 1; break;
            case "tail free": c.TailFreeBytes += 8; break;
            case "total": c.TotalBytes += 8; break;
            case "total short": c.TotalBytes -= 8; break;
            // the extent ever used (96 bytes of blocks at the segment's start) recorded 8 bytes short
            case "peak": c.PeakExtent = c.TotalBytes - c.TailFreeBytes - 8; break;
        }
        HeapCheck check = s.Check();
        Assert.Equal(HeapStatus.TotalsMismatch, check.Status);
        Assert.Equal(s.Heap.Core.Start, check.Address);
        Assert.Equal(4u, check.BlocksWalked);
    }
}
