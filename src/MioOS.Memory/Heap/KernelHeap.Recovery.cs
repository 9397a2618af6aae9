using MioOS.Memory.Collections;

namespace MioOS.Memory.Heap;

// Recovering from a free-tree link that cannot be followed: the tree is rebuilt from the block headers.
public readonly unsafe partial struct KernelHeap<TGrowth>
{
    /// <summary>
    /// When the store refused a link during this call (<see cref="HeapControl.BadLink"/>), reports
    /// <see cref="HeapStatus.BadFreeLink"/> at the address the link held and rebuilds the free tree. True when it did.
    /// </summary>
    /// <remarks>
    /// Why a rebuild rather than refusing the call: the links are only an index, and the headers, each vouched for
    /// by its check word, say everything the tree says (which blocks are free and how big). A walk of the segments
    /// gives the whole tree back in O(n log n), on this error path only, and the call then goes on as if nothing had
    /// happened, where a refusal would leave the tree broken for every later call. An operation the refusal cut short
    /// may have left two free neighbours apart or a free block out of the tree: the walk merges and indexes them.
    /// </remarks>
    private bool RecoverFreeTree(ref HeapControl c)
    {
        if (c.BadLink == 0)
            return false;
        Report(ref c, HeapStatus.BadFreeLink, c.BadLink);
        c.BadLinks++;
        RebuildFreeTree(ref c);
        c.BadLink = 0;
        return true;
    }

    /// <summary>Indexes every free block found by walking the headers of every segment (free neighbours merged) and
    /// recounts the totals. A segment whose walk meets a damaged header keeps what lies beyond it out of the tree (the
    /// integrity walk names it); nothing is written there.</summary>
    private void RebuildFreeTree(ref HeapControl c)
    {
        c.Root = 0;
        c.UsedBytes = c.FreeBytes = c.Blocks = c.FreeBlocks = c.TailFreeBytes = 0;
        bool debug = IsDebug(ref c);
        for (int s = 0; s < c.SegmentCount; s++)
        {
            uint start = c.Segments[s * 2];
            uint end = start + c.Segments[s * 2 + 1];
            uint run = 0, runSize = 0;
            for (uint at = start; at < end;)
            {
                if (!ReadHeader(ref c, at, out uint word) || (word & ~HeapLayout.FlagMask) > end - at)
                {
                    Report(ref c, HeapStatus.HeaderCorrupted, at);
                    break;
                }
                uint size = word & ~HeapLayout.FlagMask;
                if ((word & HeapLayout.UsedFlag) != 0)
                {
                    IndexRun(ref c, run, runSize, end, debug);
                    run = runSize = 0;
                    c.UsedBytes += size;
                    c.Blocks++;
                }
                else if (run == 0)
                {
                    run = at;
                    runSize = size;
                }
                else
                {
                    runSize += size; // a free neighbour the cut-short call did not merge
                }
                at += size;
            }
            IndexRun(ref c, run, runSize, end, debug);
        }
        if (c.SpareSegment != 0 && (FindFree(ref c, c.SpareSegment) == 0 || FindSegment(ref c, c.SpareSegment) < 0))
            c.SpareSegment = 0;
    }

    private void IndexRun(ref HeapControl c, uint block, uint size, uint segmentEnd, bool debug)
    {
        if (block == 0)
            return;
        uint last = block + size == segmentEnd ? HeapLayout.LastFlag : 0;
        AddFree(ref c, block, size, last);
        if (debug)
            Poison(block + HeapLayout.PoisonOffset, block + size); // the damage is reported; the block is free again
    }
}
