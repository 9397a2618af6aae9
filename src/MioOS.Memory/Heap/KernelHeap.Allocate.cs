using MioOS.Memory.Collections;

namespace MioOS.Memory.Heap;

// Finding the first fit through the free tree, carving it, growing when nothing fits.
public readonly unsafe partial struct KernelHeap<TGrowth>
{
    private uint AllocateLocked(ref HeapControl c, uint size, out HeapStatus status)
    {
        status = HeapStatus.Ok;
        if (size == 0)
            return 0;
        uint need = HeapLayout.BlockSizeFor(size, c.Granule);
        if (need == 0)
        {
            status = HeapStatus.SizeOverflow;
            return 0;
        }
        uint payload;
        do
        {
            uint block = FindFit(ref c, need);
            if (block == 0)
            {
                if (!Grow(ref c, need) || (block = FindFit(ref c, need)) == 0)
                {
                    status = HeapStatus.OutOfMemory;
                    return 0;
                }
            }
            payload = Carve(ref c, block, 0, need);
        }
        while (payload == 0); // a size the search trusted was overwritten: repaired, search again
        return payload;
    }

    private uint AllocateAlignedLocked(ref HeapControl c, uint size, uint alignment, out HeapStatus status)
    {
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        {
            status = HeapStatus.InvalidAlignment;
            return 0;
        }
        if (alignment <= c.Granule)
            return AllocateLocked(ref c, size, out status);
        status = HeapStatus.Ok;
        if (size == 0)
            return 0;
        uint need = HeapLayout.BlockSizeFor(size, c.Granule);
        uint sure = need == 0 ? 0 : HeapLayout.AlignedGuarantee(need, alignment, c.Granule);
        if (sure == 0)
        {
            status = HeapStatus.SizeOverflow;
            return 0;
        }
        uint payload;
        do
        {
            uint block = FindAlignedFit(ref c, need, alignment, out uint lead);
            if (block == 0)
            {
                if (!Grow(ref c, sure) || (block = FindAlignedFit(ref c, need, alignment, out lead)) == 0)
                {
                    status = HeapStatus.OutOfMemory;
                    return 0;
                }
            }
            payload = Carve(ref c, block, lead, need);
        }
        while (payload == 0); // a size the search trusted was overwritten: repaired, search again
        return payload;
    }

    /// <summary>The lowest-addressed free block of at least <paramref name="need"/> bytes, or 0.</summary>
    private uint FindFit(ref HeapControl c, uint need)
    {
        FreeBlockStore store = new(_window);
        uint block = AugmentedTree<FreeBlockStore>.LowestFit(ref store, c.Root, need);
        if ((c.Options & (uint)HeapOptions.CrossCheck) != 0)
            CrossCheck(ref c, block, LinearFit(ref c, need, 0, out _));
        return block;
    }

    /// <summary>The lowest-addressed free block holding an aligned placement (see
    /// <see cref="HeapLayout.AlignedLead"/>), or 0. Every block of at least <paramref name="need"/> bytes is a
    /// candidate (pruning by the guaranteed size alone would skip a lower block that happens to fit); they are
    /// tried in address order, and the first one of the guaranteed size ends the scan at the latest.</summary>
    private uint FindAlignedFit(ref HeapControl c, uint need, uint alignment, out uint lead)
    {
        FreeBlockStore store = new(_window);
        uint block = AugmentedTree<FreeBlockStore>.LowestFit(ref store, c.Root, need);
        lead = uint.MaxValue;
        while (block != 0)
        {
            lead = HeapLayout.AlignedLead(block, store.Size(block), need, alignment);
            if (lead != uint.MaxValue)
                break;
            block = AugmentedTree<FreeBlockStore>.NextFit(ref store, block, need);
        }
        if ((c.Options & (uint)HeapOptions.CrossCheck) != 0)
            CrossCheck(ref c, block, LinearFit(ref c, need, alignment, out _));
        return block;
    }

    /// <summary>
    /// Allocates <paramref name="need"/> bytes at <paramref name="lead"/> into the free block at
    /// <paramref name="block"/>: the leading fragment (if any) stays free, a tail of at least
    /// <see cref="HeapLayout.SplitThreshold"/> becomes a free block, a smaller tail joins the allocation.
    /// </summary>
    /// <returns>The payload address; 0 when the block's size, as the tree read it, had been overwritten (a write
    /// after free): it is repaired, and the caller searches again.</returns>
    private uint Carve(ref HeapControl c, uint block, uint lead, uint need)
    {
        uint word = FreeCopy(block);
        bool headerValid = ReadHeader(ref c, block, out uint header);
        if (headerValid && (header & HeapLayout.UsedFlag) == 0 && header != word)
        {
            word = RepairFreeCopy(ref c, block, header);
            if ((word & ~HeapLayout.FlagMask) < lead + need)
                return 0;
        }
        uint size = word & ~HeapLayout.FlagMask;
        uint last = word & HeapLayout.LastFlag;
        if (block == c.SpareSegment)
            c.SpareSegment = 0; // the spare is in use again: an ordinary segment
        if (!headerValid || header != word)
        {
            // The free block's header was overwritten; the tree's copy is trusted, so repair and go on.
            Report(ref c, HeapStatus.HeaderCorrupted, block);
            WriteHeader(ref c, block, word);
        }
        uint tail = size - lead - need;
        if (tail < HeapLayout.SplitThreshold)
        {
            need += tail;
            tail = 0;
        }
        uint at = block + lead;
        if (lead == 0)
        {
            if (tail == 0)
                RemoveFree(ref c, block, size, last);
            else
                MoveFree(ref c, block, size, last, at + need, tail, last);
        }
        else
        {
            ResizeFree(ref c, block, size, last, lead, 0);
            if (tail != 0)
                AddFree(ref c, at + need, tail, last);
        }
        WriteHeader(ref c, at, need | HeapLayout.UsedFlag | (tail == 0 ? last : 0));
        c.UsedBytes += need;
        c.Blocks++;
        UpdatePeak(ref c);
        return at + HeapLayout.HeaderSize;
    }
}
