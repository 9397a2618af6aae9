using MioOS.Memory.Boot;
using MioOS.Memory.Collections;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Physical;

/// <summary>What the PMM's integrity walk found wrong, if anything.</summary>
public enum PmmIntegrityStatus : byte
{
    /// <summary>Every invariant holds.</summary>
    Ok,

    /// <summary>The control block's magic number is gone.</summary>
    BadMagic,

    /// <summary>A tree's links, order, heights or subtree maxima are inconsistent, a frame's record slot disagrees
    /// with its extent (a free extent's head or tail, a tree node that is not the slot of its first frame), or a
    /// first-fit hint names an extent that is not the lowest fit.</summary>
    BrokenTree,

    /// <summary>An extent is empty, or lies (partly) outside available memory or its region.</summary>
    OutsideUsableMemory,

    /// <summary>An extent touches a reserved range (kernel, heap, metadata, boot info).</summary>
    TouchesReserved,

    /// <summary>Two extents overlap.</summary>
    Overlap,

    /// <summary>Two free extents touch: they should have been merged.</summary>
    NotMerged,

    /// <summary>Free + used frames do not add up to the usable frames, or a counter disagrees with the trees or the
    /// slots (more slots marked than the extents account for: a stale head or tail somewhere).</summary>
    CountMismatch,
}

/// <summary>The integrity walk's verdict and the address where it stopped.</summary>
public readonly struct PmmIntegrity
{
    /// <summary>What was found.</summary>
    public readonly PmmIntegrityStatus Status;

    /// <summary>The first byte of the offending extent.</summary>
    public readonly ulong Address;

    /// <summary>Creates a verdict.</summary>
    public PmmIntegrity(PmmIntegrityStatus status, ulong address)
    {
        Status = status;
        Address = address;
    }

    /// <summary>True when all holds.</summary>
    public bool IsOk => Status == PmmIntegrityStatus.Ok;
}

public readonly unsafe partial struct PhysicalMemoryManager
{
    /// <summary>
    /// Walks everything: trees well formed; extents sorted, non-overlapping, inside available memory of their
    /// region, never touching a reserved range; free extents fully merged; free + used = usable; counters agree;
    /// every free extent's node is the slot of its first frame with its tail marked, and no other slot is marked;
    /// every first-fit hint that is set names the lowest fit.
    /// </summary>
    public PmmIntegrity CheckIntegrity()
    {
        PmmState* s = S;
        if (s->Magic != PmmState.MagicValue)
            return new PmmIntegrity(PmmIntegrityStatus.BadMagic, _state);
        uint held = PmmLock.Enter(ref s->Lock);
        PmmIntegrity result = CheckLocked(s);
        PmmLock.Exit(ref s->Lock, held);
        return result;
    }

    private PmmIntegrity CheckLocked(PmmState* s)
    {
        ExtentStore store = Store;
        long limit = s->RecordCapacity;
        long low = AugmentedTree<ExtentStore>.Validate(ref store, s->LowFreeRoot, limit);
        long high = AugmentedTree<ExtentStore>.Validate(ref store, s->HighFreeRoot, limit);
        if (low < 0 || high < 0)
            return new PmmIntegrity(PmmIntegrityStatus.BrokenTree, _state);
        if (low != s->FreeExtentsLow || high != s->FreeExtentsHigh)
            return new PmmIntegrity(PmmIntegrityStatus.CountMismatch, _state);

        if (!FitHintsHold(FrameRegion.Low, s->LowFreeRoot) || !FitHintsHold(FrameRegion.High, s->HighFreeRoot))
            return new PmmIntegrity(PmmIntegrityStatus.BrokenTree, _state);

        ulong marks = 0;
        PmmIntegrity r = CheckFreeSlots(s->LowFreeRoot, FrameRegion.Low, ref marks);
        if (r.IsOk)
            r = CheckFreeSlots(s->HighFreeRoot, FrameRegion.High, ref marks);
        if (!r.IsOk)
            return r;

        ulong freeLow = 0, freeHigh = 0, used = 0, allocations = 0;
        r = WalkRegion(FrameRegion.Low, ref freeLow, ref used, ref allocations);
        if (r.IsOk)
            r = WalkRegion(FrameRegion.High, ref freeHigh, ref used, ref allocations);
        if (!r.IsOk)
            return r;
        if (freeLow != s->FreeFramesLow || freeHigh != s->FreeFramesHigh
            || freeLow + freeHigh + used != s->ManagedFramesLow + s->ManagedFramesHigh
            || allocations != s->AllocationCount || marks + allocations != s->RecordsInUse)
            return new PmmIntegrity(PmmIntegrityStatus.CountMismatch, _state);
        return r;
    }

    /// <summary>Checks the slots of a region's free extents (the tree is known to be well formed): each node is the
    /// slot of its extent's first frame, marked as a free head of that region, and the extent's last frame, when it
    /// is not the first, is marked as its tail. Counts the marks.</summary>
    private PmmIntegrity CheckFreeSlots(uint root, FrameRegion region, ref ulong marks)
    {
        ExtentStore store = Store;
        uint expected = (uint)ExtentFlags.Head | (region == FrameRegion.High ? (uint)ExtentFlags.High : 0);
        for (uint node = AugmentedTree<ExtentStore>.Minimum(ref store, root); node != 0;
             node = AugmentedTree<ExtentStore>.Successor(ref store, node))
        {
            ExtentRecord* r = store.Record(node);
            ulong at = (ulong)r->Start << Frames.Shift;
            int span = SpanOf(r->Start);
            if (span < 0 || node != SlotOf(r->Start) || r->Flags != expected || r->Length == 0
                || Span((uint)span)->Region != (uint)region
                || (ulong)r->Start + r->Length > (ulong)Span((uint)span)->FirstFrame + Span((uint)span)->Frames)
                return new PmmIntegrity(PmmIntegrityStatus.BrokenTree, at);
            marks++;
            if (r->Length >= 2)
            {
                ExtentRecord* t = store.Record(node + r->Length - 1);
                if (t->Flags != (uint)ExtentFlags.Tail || t->Start != r->Start || t->Length != r->Length)
                    return new PmmIntegrity(PmmIntegrityStatus.BrokenTree, at);
                marks++;
            }
        }
        return new PmmIntegrity(PmmIntegrityStatus.Ok, 0);
    }

    /// <summary>Merges the region's free extents with the allocations that lie in it, in address order, and
    /// checks each against its neighbour, the map and the reserved ranges.</summary>
    private PmmIntegrity WalkRegion(FrameRegion region, ref ulong free, ref ulong used, ref ulong allocations)
    {
        ExtentCursor frees = FreeExtents(region);
        ExtentCursor allocs = Allocations();
        bool haveFree = frees.Next(out PhysicalAddress freeStart, out uint freeFrames);
        bool haveAlloc = NextIn(ref allocs, region, out PhysicalAddress allocStart, out uint allocFrames);
        ulong previousEnd = 0;
        bool previousFree = false;
        while (haveFree || haveAlloc)
        {
            bool takeFree = haveFree && (!haveAlloc || freeStart.Value < allocStart.Value);
            ulong start = takeFree ? freeStart.Value : allocStart.Value;
            uint frames = takeFree ? freeFrames : allocFrames;
            ulong end = start + ((ulong)frames << Frames.Shift);
            if (frames == 0 || !InRegion(region, start, end) || !InsideAvailable(start, end))
                return new PmmIntegrity(PmmIntegrityStatus.OutsideUsableMemory, start);
            if (TouchesReserved(start, end))
                return new PmmIntegrity(PmmIntegrityStatus.TouchesReserved, start);
            if (start < previousEnd)
                return new PmmIntegrity(PmmIntegrityStatus.Overlap, start);
            if (takeFree && previousFree && start == previousEnd)
                return new PmmIntegrity(PmmIntegrityStatus.NotMerged, start);
            previousEnd = end;
            previousFree = takeFree;
            if (takeFree)
            {
                free += frames;
                haveFree = frees.Next(out freeStart, out freeFrames);
            }
            else
            {
                used += frames;
                allocations++;
                haveAlloc = NextIn(ref allocs, region, out allocStart, out allocFrames);
            }
        }
        return new PmmIntegrity(PmmIntegrityStatus.Ok, 0);
    }

    private static bool NextIn(ref ExtentCursor cursor, FrameRegion region, out PhysicalAddress start, out uint frames)
    {
        while (cursor.Next(out start, out frames))
        {
            if ((start.Value >= AddressLimits.FourGiB) == (region == FrameRegion.High))
                return true;
        }
        return false;
    }

    private bool InRegion(FrameRegion region, ulong start, ulong end) => region == FrameRegion.High
        ? start >= AddressLimits.FourGiB
        : start >= S->KernelBase && end <= AddressLimits.FourGiB;

    private bool InsideAvailable(ulong start, ulong end)
    {
        for (uint i = 0; i < MapCount; i++)
        {
            MemoryMapEntry e = MapEntry(i);
            if (e.Kind == MemoryType.Available && e.Base <= start && end - 1 <= e.Last)
                return true;
        }
        return false;
    }

    private bool TouchesReserved(ulong start, ulong end)
    {
        for (uint i = 0; i < ReservedCount; i++)
        {
            ReservedRange r = Reserved(i);
            if (r.Base < end && start < r.Base + r.Length)
                return true;
        }
        return false;
    }
}
