using MioOS.Memory.Collections;

namespace MioOS.Memory.Heap;

// The integrity walk and the linear first-fit scan the cross-check switch compares the tree against.
public readonly unsafe partial struct KernelHeap<TGrowth>
{
    private HeapCheck CheckLocked(ref HeapControl c)
    {
        if (c.Magic != HeapControl.ExpectedMagic || c.SegmentCount == 0 || c.SegmentCount > HeapLayout.MaxSegments
            || !HeapLayout.IsValidGranule(c.Granule))
            return new HeapCheck(HeapStatus.ControlCorrupted, _control, 0);
        uint used = 0, free = 0, blocks = 0, freeBlocks = 0, tailFree = 0, largest = 0, total = 0, walked = 0;
        uint previousEnd = _control + HeapLayout.ControlBlockSize;
        bool initialSeen = false;
        for (int s = 0; s < c.SegmentCount; s++)
        {
            uint start = c.Segments[s * 2];
            uint length = c.Segments[s * 2 + 1];
            if ((s > 0 && start < previousEnd) || length < HeapLayout.MinBlock
                || (((start + HeapLayout.HeaderSize) | length) & (c.Granule - 1)) != 0 || !_window.Contains(start, length))
                return new HeapCheck(HeapStatus.ControlCorrupted, start, walked);
            if (start == c.InitialStart)
                initialSeen = true;
            uint end = start + length;
            previousEnd = end;
            total += length;
            bool previousFree = false;
            for (uint at = start; at < end;)
            {
                if (!ReadHeader(ref c, at, out uint word))
                    return new HeapCheck(HeapStatus.HeaderCorrupted, at, walked);
                uint size = word & ~HeapLayout.FlagMask;
                if (size > end - at || ((word & HeapLayout.LastFlag) != 0) != (size == end - at)
                    || (size & (c.Granule - 1)) != 0 || (word & 4) != 0)
                    return new HeapCheck(HeapStatus.BlockOrderBroken, at, walked);
                walked++;
                if ((word & HeapLayout.UsedFlag) != 0)
                {
                    used += size;
                    blocks++;
                    previousFree = false;
                }
                else
                {
                    if (previousFree)
                        return new HeapCheck(HeapStatus.AdjacentFreeBlocks, at, walked);
                    if (FreeCopy(at) != word)
                        return new HeapCheck(HeapStatus.HeaderCorrupted, at, walked);
                    if (FindFree(ref c, at) != at)
                        return new HeapCheck(HeapStatus.TreeMismatch, at, walked);
                    free += size;
                    freeBlocks++;
                    if ((word & HeapLayout.LastFlag) != 0)
                        tailFree += size;
                    if (size > largest)
                        largest = size;
                    previousFree = true;
                }
                at += size;
            }
        }
        if (!initialSeen)
            return new HeapCheck(HeapStatus.ControlCorrupted, c.InitialStart, walked);
        if (c.SpareSegment != 0)
        {
            // The spare is a grown segment that is one free block, no bigger than a spare may be.
            int spare = FindSegment(ref c, c.SpareSegment);
            if (spare < 0 || c.Segments[spare * 2] != c.SpareSegment || c.SpareSegment == c.InitialStart
                || c.Segments[spare * 2 + 1] > HeapLayout.SpareSegmentMaxBytes
                || FindFree(ref c, c.SpareSegment) == 0
                || (FreeCopy(c.SpareSegment) & ~HeapLayout.FlagMask) != c.Segments[spare * 2 + 1])
                return new HeapCheck(HeapStatus.ControlCorrupted, c.SpareSegment, walked);
        }
        FreeBlockStore store = new(_window);
        long nodes = AugmentedTree<FreeBlockStore>.Validate(ref store, c.Root, (long)freeBlocks + 1);
        if (nodes != freeBlocks || (c.Root != 0 ? store.Links(c.Root).MaxSize : 0) != largest)
            return new HeapCheck(HeapStatus.TreeMismatch, c.Root, walked);
        if (used != c.UsedBytes || free != c.FreeBytes || blocks != c.Blocks || freeBlocks != c.FreeBlocks
            || tailFree != c.TailFreeBytes || total != c.TotalBytes || used + free != total
            || c.TotalBytes - c.TailFreeBytes > c.PeakExtent)
            return new HeapCheck(HeapStatus.TotalsMismatch, _control, walked);
        return new HeapCheck(HeapStatus.Ok, 0, walked);
    }

    /// <summary>The first fit a plain walk of the block lists (segments in address order) finds: the first
    /// free block of at least <paramref name="need"/> bytes, or with <paramref name="alignment"/> above the granule the
    /// first one holding an aligned placement. 0 when none (or when a damaged header stops the walk).</summary>
    private uint LinearFit(ref HeapControl c, uint need, uint alignment, out uint lead)
    {
        lead = 0;
        for (int s = 0; s < c.SegmentCount; s++)
        {
            uint end = c.Segments[s * 2] + c.Segments[s * 2 + 1];
            for (uint at = c.Segments[s * 2]; at < end;)
            {
                if (!ReadHeader(ref c, at, out uint word))
                    return 0;
                uint size = word & ~HeapLayout.FlagMask;
                if ((word & HeapLayout.UsedFlag) == 0 && size >= need)
                {
                    if (alignment <= c.Granule)
                        return at;
                    lead = HeapLayout.AlignedLead(at, size, need, alignment);
                    if (lead != uint.MaxValue)
                        return at;
                }
                at += size;
            }
        }
        return 0;
    }

    private void CrossCheck(ref HeapControl c, uint fromTree, uint fromScan)
    {
        if (fromTree != fromScan)
        {
            c.CrossCheckFailures++;
            Report(ref c, HeapStatus.CrossCheckMismatch, fromScan);
        }
    }
}
