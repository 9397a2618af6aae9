using MioOS.Memory.Collections;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Heap;

// Block headers, free-block bookkeeping and the segment table: the primitives the operations are built from.
public readonly unsafe partial struct KernelHeap<TGrowth>
{
    private static uint CheckWord(uint address, uint word, uint secret) => HeapLayout.CheckWord(address, word, secret);

    private void WriteHeader(ref HeapControl c, uint address, uint word)
    {
        uint* h = (uint*)_window.Bytes(address, HeapLayout.HeaderSize, MemoryAccess.Write);
        h[0] = word;
        h[1] = CheckWord(address, word, c.Secret);
    }

    /// <summary>Reads the header word at <paramref name="address"/>; false when its check word does not match or
    /// the size is impossible.</summary>
    private bool ReadHeader(ref HeapControl c, uint address, out uint word)
    {
        uint* h = (uint*)_window.Bytes(address, HeapLayout.HeaderSize, MemoryAccess.Read);
        word = h[0];
        return h[1] == CheckWord(address, word, c.Secret) && (word & ~HeapLayout.FlagMask) >= HeapLayout.MinBlock;
    }

    /// <summary>The trusted copy of a free block's header word.</summary>
    private uint FreeCopy(uint block) => _window.Read<uint>(block + HeapLayout.FreeCopyOffset);

    /// <summary>
    /// The word of the free block at <paramref name="block"/>, whose header reads <paramref name="header"/> with a
    /// valid check word. The copy inside the block is free memory to a caller that writes after a free: when it
    /// differs, the check word vouches for the header and nothing vouches for the copy, so the copy (and the tree's
    /// sizes, which read it) is repaired from the header and the damage reported.
    /// </summary>
    private uint RepairFreeCopy(ref HeapControl c, uint block, uint header)
    {
        if (FreeCopy(block) != header)
        {
            Report(ref c, HeapStatus.HeaderCorrupted, block);
            _window.Write(block + HeapLayout.FreeCopyOffset, header);
            FreeBlockStore store = new(_window, _control);
            AugmentedTree<FreeBlockStore>.SizeChanged(ref store, block);
        }
        return header;
    }

    private void WriteFree(ref HeapControl c, uint block, uint word)
    {
        WriteHeader(ref c, block, word);
        _window.Write(block + HeapLayout.FreeCopyOffset, word);
    }

    /// <summary>Makes [block, block + size) a free block and indexes it; <paramref name="floor"/>, when not 0, is the
    /// free block before it in address order (from a search just made), so the tree need not search again.</summary>
    private void AddFree(ref HeapControl c, uint block, uint size, uint last, uint floor = 0)
    {
        WriteFree(ref c, block, size | last);
        FreeBlockStore store = new(_window, _control);
        if (floor != 0)
            AugmentedTree<FreeBlockStore>.InsertAfter(ref store, ref c.Root, block, floor);
        else
            AugmentedTree<FreeBlockStore>.Insert(ref store, ref c.Root, block);
        c.FreeBytes += size;
        c.FreeBlocks++;
        if (last != 0)
            c.TailFreeBytes += size;
    }

    /// <summary>Takes the free block out of the index (its memory is about to be used or merged).</summary>
    private void RemoveFree(ref HeapControl c, uint block, uint size, uint last)
    {
        FreeBlockStore store = new(_window, _control);
        AugmentedTree<FreeBlockStore>.Remove(ref store, ref c.Root, block);
        c.FreeBytes -= size;
        c.FreeBlocks--;
        if (last != 0)
            c.TailFreeBytes -= size;
    }

    /// <summary>Changes a free block's size (and last flag) where it stands.</summary>
    private void ResizeFree(ref HeapControl c, uint block, uint oldSize, uint oldLast, uint newSize, uint newLast)
    {
        WriteFree(ref c, block, newSize | newLast);
        FreeBlockStore store = new(_window, _control);
        if (newSize >= oldSize)
            AugmentedTree<FreeBlockStore>.SizeGrew(ref store, block, newSize);
        else
            AugmentedTree<FreeBlockStore>.SizeChanged(ref store, block);
        c.FreeBytes = c.FreeBytes - oldSize + newSize;
        if (oldLast != 0)
            c.TailFreeBytes -= oldSize;
        if (newLast != 0)
            c.TailFreeBytes += newSize;
    }

    /// <summary>Moves a free block's start to <paramref name="newBlock"/> (no other free block lies between the
    /// two addresses, so the tree order holds and the node is replaced in place; the places may overlap).</summary>
    private void MoveFree(ref HeapControl c, uint block, uint oldSize, uint oldLast, uint newBlock, uint newSize, uint newLast)
    {
        // The two places may overlap (krealloc growing by 8 bytes moves the neighbour's start by 8): save the
        // links before the new header and copy land on them.
        FreeBlockStore store = new(_window, _control);
        TreeLinks links = store.Links(block);
        WriteFree(ref c, newBlock, newSize | newLast);
        store.Links(newBlock) = links;
        if (newSize >= oldSize)
            AugmentedTree<FreeBlockStore>.MovedAndGrew(ref store, ref c.Root, block, newBlock, newSize);
        else
            AugmentedTree<FreeBlockStore>.Moved(ref store, ref c.Root, block, newBlock);
        c.FreeBytes = c.FreeBytes - oldSize + newSize;
        if (oldLast != 0)
            c.TailFreeBytes -= oldSize;
        if (newLast != 0)
            c.TailFreeBytes += newSize;
    }

    /// <summary>The free block starting exactly at <paramref name="block"/>, per the tree (0 when none).</summary>
    private uint FindFree(ref HeapControl c, uint block)
    {
        FreeBlockStore store = new(_window, _control);
        return AugmentedTree<FreeBlockStore>.Find(ref store, c.Root, block);
    }

    /// <summary>The index of the segment holding <paramref name="address"/>, or -1.</summary>
    private static int FindSegment(ref HeapControl c, uint address)
    {
        int low = 0, high = (int)c.SegmentCount - 1;
        while (low <= high)
        {
            int mid = (low + high) >> 1;
            uint start = c.Segments[mid * 2];
            if (address < start)
                high = mid - 1;
            else if (address - start >= c.Segments[mid * 2 + 1])
                low = mid + 1;
            else
                return mid;
        }
        return -1;
    }

    /// <summary>Asks the growth source for a segment of at least <paramref name="minBytes"/> and adds it as one free block.</summary>
    private bool Grow(ref HeapControl c, uint minBytes)
    {
        if (c.SegmentCount >= HeapLayout.MaxSegments)
            return false;
        uint granule = c.Granule;
        uint lead = HeapLayout.SegmentLead(granule);
        ulong fits = ((ulong)minBytes + HeapLayout.SegmentOverhead(granule) + HeapLayout.GrowthGranule - 1)
            & ~(ulong)(HeapLayout.GrowthGranule - 1);
        if (fits < HeapLayout.GrowthStep)
            fits = HeapLayout.GrowthStep;
        if (fits > uint.MaxValue - HeapLayout.GrowthGranule)
            return false;
        // Larger steps as the table fills (HeapLayout.LeastGrowth); the least that fits when the source has less.
        ulong scaled = HeapLayout.LeastGrowth(c.SegmentCount);
        TGrowth growth = _growth;
        uint range, rangeLength;
        if (!(scaled > fits && growth.TryGrow((uint)scaled, out range, out rangeLength))
            && !growth.TryGrow((uint)fits, out range, out rangeLength))
            return false;
        // The blocks tile the range less its lead and tail (nothing for the kernel's granule).
        uint start = range + lead;
        uint length = rangeLength - HeapLayout.SegmentOverhead(granule);
        int at = 0;
        while (at < c.SegmentCount && c.Segments[at * 2] < start)
            at++;
        bool bad = range == 0 || (range & (granule - 1)) != 0 || (rangeLength & (granule - 1)) != 0
            || rangeLength < minBytes + HeapLayout.SegmentOverhead(granule)
            || (ulong)range + rangeLength > AddressLimits.FourGiB || !_window.Contains(range, rangeLength)
            || (range < _control + HeapLayout.ControlBlockSize && range + rangeLength > _control)
            || (at > 0 && c.Segments[(at - 1) * 2] + c.Segments[(at - 1) * 2 + 1] > range)
            || (at < c.SegmentCount && range + rangeLength > c.Segments[at * 2]);
        if (bad)
        {
            Report(ref c, HeapStatus.BadGrowth, range);
            return false;
        }
        for (int i = (int)c.SegmentCount; i > at; i--)
        {
            c.Segments[i * 2] = c.Segments[(i - 1) * 2];
            c.Segments[i * 2 + 1] = c.Segments[(i - 1) * 2 + 1];
        }
        c.Segments[at * 2] = start;
        c.Segments[at * 2 + 1] = length;
        c.SegmentCount++;
        c.TotalBytes += length;
        c.Grows++;
        AddFree(ref c, start, length, HeapLayout.LastFlag);
        if (IsDebug(ref c))
            Poison(start + HeapLayout.PoisonOffset, start + length);
        return true;
    }

    /// <summary>Gives a wholly free grown segment back to the growth source (the whole range it came as).</summary>
    private void ReleaseSegment(ref HeapControl c, int index)
    {
        uint start = c.Segments[index * 2];
        uint length = c.Segments[index * 2 + 1];
        RemoveFree(ref c, start, length, HeapLayout.LastFlag);
        for (int i = index; i + 1 < c.SegmentCount; i++)
        {
            c.Segments[i * 2] = c.Segments[(i + 1) * 2];
            c.Segments[i * 2 + 1] = c.Segments[(i + 1) * 2 + 1];
        }
        c.SegmentCount--;
        c.TotalBytes -= length;
        c.Releases++;
        TGrowth growth = _growth;
        growth.Release(start - HeapLayout.SegmentLead(c.Granule), length + HeapLayout.SegmentOverhead(c.Granule));
    }

    /// <summary>Copies <paramref name="length"/> bytes a page-piece at a time (so a checked window sees each page).</summary>
    private void Copy(uint destination, uint source, uint length)
    {
        while (length > 0)
        {
            uint chunk = Frames.Size - (source & (Frames.Size - 1));
            uint room = Frames.Size - (destination & (Frames.Size - 1));
            if (room < chunk)
                chunk = room;
            if (length < chunk)
                chunk = length;
            byte* from = _window.Bytes(source, chunk, MemoryAccess.Read);
            byte* to = _window.Bytes(destination, chunk, MemoryAccess.Write);
            new System.Span<byte>(from, (int)chunk).CopyTo(new System.Span<byte>(to, (int)chunk));
            source += chunk;
            destination += chunk;
            length -= chunk;
        }
    }
}
