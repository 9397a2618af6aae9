using MioOS.Memory.Collections;

namespace MioOS.Memory.Heap;

// Freeing with immediate coalescing, pointer validation (misuse detection) and krealloc.
public readonly unsafe partial struct KernelHeap<TGrowth>
{
    private HeapStatus FreeLocked(ref HeapControl c, uint pointer)
    {
        if (pointer == 0)
            return HeapStatus.Ok;
        HeapStatus status = ValidatePointer(ref c, pointer, out uint block, out uint word, out int segment);
        if (status != HeapStatus.Ok)
        {
            Report(ref c, status, status == HeapStatus.HeaderCorrupted && block != 0 ? block : pointer);
            return status;
        }
        if (IsDebug(ref c) && !CanaryHolds(block, word))
        {
            // Refused like any misuse: the block stays as it is, the overwritten bytes the evidence.
            Report(ref c, HeapStatus.CanaryOverwritten, block);
            return HeapStatus.CanaryOverwritten;
        }
        FreeBlock(ref c, block, word, segment);
        RecoverFreeTree(ref c);
        return HeapStatus.Ok;
    }

    /// <summary>
    /// Is <paramref name="pointer"/> the payload of a live block? On <see cref="HeapStatus.Ok"/> gives the
    /// block, its header word and its segment. A header whose check word fails is told apart (on this slow,
    /// error-only path) by walking its segment: a real block boundary with a damaged header, or an interior
    /// pointer. <paramref name="block"/> is the damaged header's address for <see cref="HeapStatus.HeaderCorrupted"/>.
    /// </summary>
    private HeapStatus ValidatePointer(ref HeapControl c, uint pointer, out uint block, out uint word, out int segment)
    {
        block = 0;
        word = 0;
        segment = pointer < HeapLayout.HeaderSize ? -1 : FindSegment(ref c, pointer - HeapLayout.HeaderSize);
        if (segment < 0)
            return HeapStatus.ForeignPointer;
        if ((pointer & (c.Granule - 1)) != 0)
            return HeapStatus.MisalignedPointer;
        uint candidate = pointer - HeapLayout.HeaderSize;
        uint segmentEnd = c.Segments[segment * 2] + c.Segments[segment * 2 + 1];
        if (ReadHeader(ref c, candidate, out word))
        {
            uint size = word & ~HeapLayout.FlagMask;
            bool fits = size <= segmentEnd - candidate;
            bool last = (word & HeapLayout.LastFlag) != 0;
            if (!fits || last != (size == segmentEnd - candidate))
            {
                block = candidate;
                return HeapStatus.BlockOrderBroken;
            }
            if ((word & HeapLayout.UsedFlag) == 0)
                return HeapStatus.DoubleFree;
            block = candidate;
            return HeapStatus.Ok;
        }
        // Walk the segment to see whether the candidate is a block boundary at all.
        uint at = c.Segments[segment * 2];
        while (at < candidate)
        {
            if (!ReadHeader(ref c, at, out uint w))
            {
                if (FindFree(ref c, at) == 0 || c.BadLink != 0)
                {
                    block = at;
                    return HeapStatus.HeaderCorrupted;
                }
                w = FreeCopy(at);
            }
            at += w & ~HeapLayout.FlagMask;
        }
        if (at == candidate)
        {
            block = candidate;
            return HeapStatus.HeaderCorrupted;
        }
        return HeapStatus.NotABlockStart;
    }

    /// <summary>
    /// The header of the block at <paramref name="next"/> (a true block boundary), told free or not. A damaged
    /// header is reported; the tree then decides (a free block's trusted copy repairs the header).
    /// </summary>
    private bool NextIsFree(ref HeapControl c, uint next, out uint freeWord)
    {
        if (ReadHeader(ref c, next, out uint w))
        {
            freeWord = (w & HeapLayout.UsedFlag) == 0 ? RepairFreeCopy(ref c, next, w) : 0;
            return (w & HeapLayout.UsedFlag) == 0;
        }
        Report(ref c, HeapStatus.HeaderCorrupted, next);
        if (FindFree(ref c, next) != 0 && c.BadLink == 0)
        {
            freeWord = FreeCopy(next);
            WriteHeader(ref c, next, freeWord);
            return true;
        }
        freeWord = 0;
        return false;
    }

    /// <summary>Frees a validated block and merges it with a free next and a free previous neighbour (both in
    /// its segment); a grown segment left wholly free goes back to the growth source.</summary>
    private void FreeBlock(ref HeapControl c, uint block, uint word, int segment)
    {
        uint size = word & ~HeapLayout.FlagMask;
        uint last = word & HeapLayout.LastFlag;
        uint segmentStart = c.Segments[segment * 2];
        uint segmentLength = c.Segments[segment * 2 + 1];
        // Mark it free first: should it be merged away, the stale header still tells a double free.
        WriteHeader(ref c, block, size | last);
        c.UsedBytes -= size;
        c.Blocks--;

        uint nextWord = 0;
        bool nextFree = last == 0 && NextIsFree(ref c, block + size, out nextWord);

        uint previous = 0, previousWord = 0, below = 0; // below: the free block before this one in the tree, if known
        if (block != segmentStart)
        {
            // With the next block free, the free block before this one is the next one's predecessor in the tree (no
            // free block lies between them), a step or two from a node just read; else a descent from the root.
            FreeBlockStore store = new(_window, _control);
            uint floor = nextFree
                ? AugmentedTree<FreeBlockStore>.Predecessor(ref store, block + size)
                : AugmentedTree<FreeBlockStore>.Floor(ref store, c.Root, block - 1);
            if (floor != 0 && c.BadLink == 0) // a bad link: the rebuild merges instead
                below = floor;
            if (floor >= segmentStart && below != 0)
            {
                uint w = FreeCopy(floor);
                if (floor + (w & ~HeapLayout.FlagMask) == block)
                {
                    previous = floor;
                    previousWord = w;
                }
            }
        }

        uint mergedStart, mergedSize;
        if (nextFree)
        {
            uint nextSize = nextWord & ~HeapLayout.FlagMask;
            uint nextLast = nextWord & HeapLayout.LastFlag;
            if (previous != 0)
            {
                uint previousSize = previousWord & ~HeapLayout.FlagMask;
                RemoveFree(ref c, block + size, nextSize, nextLast);
                mergedStart = previous;
                mergedSize = previousSize + size + nextSize;
                ResizeFree(ref c, previous, previousSize, 0, mergedSize, nextLast);
            }
            else
            {
                mergedStart = block;
                mergedSize = size + nextSize;
                MoveFree(ref c, block + size, nextSize, nextLast, block, mergedSize, nextLast);
            }
        }
        else if (previous != 0)
        {
            uint previousSize = previousWord & ~HeapLayout.FlagMask;
            mergedStart = previous;
            mergedSize = previousSize + size;
            ResizeFree(ref c, previous, previousSize, 0, mergedSize, last);
        }
        else
        {
            mergedStart = block;
            mergedSize = size;
            AddFree(ref c, block, size, last, below); // no descent again: its place is next to the floor just found
        }

        if (IsDebug(ref c))
        {
            // The freed bytes and the head of a free next block merged in, less the merged block's own head.
            uint from = mergedStart == block ? block + HeapLayout.PoisonOffset : block;
            Poison(from, block + size + (nextFree ? HeapLayout.PoisonOffset : 0));
        }

        if (mergedStart == segmentStart && mergedSize == segmentLength && segmentStart != c.InitialStart)
            SegmentEmptied(ref c, segment);
    }

    /// <summary>A grown segment became wholly free: it becomes the spare (the older spare goes back), or goes back
    /// at once when it is bigger than <see cref="HeapLayout.SpareSegmentMaxBytes"/>.</summary>
    private void SegmentEmptied(ref HeapControl c, int segment)
    {
        uint start = c.Segments[segment * 2];
        if (!HeapLayout.KeepOneSpareSegment || c.Segments[segment * 2 + 1] > HeapLayout.SpareSegmentMaxBytes)
        {
            ReleaseSegment(ref c, segment);
            return;
        }
        uint older = c.SpareSegment;
        c.SpareSegment = start;
        if (older != 0 && older != start)
            ReleaseSegment(ref c, FindSegment(ref c, older));
    }

    private uint ReallocateLocked(ref HeapControl c, uint pointer, uint size, out HeapStatus status)
    {
        if (pointer == 0)
            return AllocateLocked(ref c, size, out status);
        if (size == 0)
        {
            status = FreeLocked(ref c, pointer);
            return 0;
        }
        status = ValidatePointer(ref c, pointer, out uint block, out uint word, out int segment);
        if (status != HeapStatus.Ok)
        {
            Report(ref c, status, status == HeapStatus.HeaderCorrupted && block != 0 ? block : pointer);
            return 0;
        }
        bool debug = IsDebug(ref c);
        if (debug && !CanaryHolds(block, word))
        {
            status = HeapStatus.CanaryOverwritten;
            Report(ref c, status, block);
            return 0;
        }
        uint result = ResizeLocked(ref c, pointer, size, block, word, segment, out status);
        if (result != 0 && debug)
            ArmCanary(result - HeapLayout.HeaderSize, size);
        RecoverFreeTree(ref c);
        return result;
    }

    /// <summary>Krealloc of a validated block: in place when it shrinks or its free next neighbour has room, else moved.</summary>
    private uint ResizeLocked(ref HeapControl c, uint pointer, uint size, uint block, uint word, int segment, out HeapStatus status)
    {
        status = HeapStatus.Ok;
        bool debug = IsDebug(ref c);
        uint need = HeapLayout.BlockSizeFor(size, c.Granule, debug);
        if (need == 0)
        {
            status = HeapStatus.SizeOverflow;
            return 0;
        }
        uint current = word & ~HeapLayout.FlagMask;
        uint last = word & HeapLayout.LastFlag;
        if (need <= current)
        {
            uint tail = current - need;
            if (tail >= HeapLayout.SplitThreshold)
            {
                // Shrink: the tail becomes a block of its own and is freed (merging with a free next neighbour).
                WriteHeader(ref c, block, need | HeapLayout.UsedFlag);
                WriteHeader(ref c, block + need, tail | HeapLayout.UsedFlag | last);
                c.Blocks++;
                FreeBlock(ref c, block + need, tail | HeapLayout.UsedFlag | last, segment);
            }
            return pointer;
        }
        if (HeapLayout.ReallocGrowsIntoNext && last == 0 && NextIsFree(ref c, block + current, out uint nextWord))
        {
            uint nextSize = nextWord & ~HeapLayout.FlagMask;
            uint nextLast = nextWord & HeapLayout.LastFlag;
            if (current + nextSize >= need)
            {
                uint rest = current + nextSize - need;
                if (debug)
                    CheckPoison(ref c, block + current, nextSize, block + current,
                        block + need + (rest >= HeapLayout.SplitThreshold ? HeapLayout.MinBlock : 0));
                if (rest >= HeapLayout.SplitThreshold)
                {
                    MoveFree(ref c, block + current, nextSize, nextLast, block + need, rest, nextLast);
                    WriteHeader(ref c, block, need | HeapLayout.UsedFlag);
                    c.UsedBytes += need - current;
                }
                else
                {
                    RemoveFree(ref c, block + current, nextSize, nextLast);
                    WriteHeader(ref c, block, (current + nextSize) | HeapLayout.UsedFlag | nextLast);
                    c.UsedBytes += nextSize;
                }
                UpdatePeak(ref c);
                return pointer;
            }
        }
        uint moved = AllocateLocked(ref c, size, out status);
        if (moved == 0)
            return 0;
        // With the debug option only the bytes asked for move (the rest is the old canary, the new block has its own).
        Copy(moved, pointer, debug ? RequestSize(block, word) : current - HeapLayout.HeaderSize);
        // The allocation may have added a segment before this one: look it up again.
        FreeBlock(ref c, block, word, FindSegment(ref c, block));
        return moved;
    }
}
