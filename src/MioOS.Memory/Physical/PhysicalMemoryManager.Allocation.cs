using MioOS.Memory.Boot;
using MioOS.Memory.Collections;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Physical;

public readonly unsafe partial struct PhysicalMemoryManager
{
    /// <summary>
    /// <c>alloc_frame(num_blocks, identity_map)</c> without a VMM: the lowest-addressed run of
    /// <paramref name="numBlocks"/> free contiguous frames in low memory.
    /// </summary>
    public PmmStatus AllocFrame(uint numBlocks, out PhysicalAddress address) =>
        AllocFrames(numBlocks, FrameRegion.Low, 1, out address);

    /// <summary>
    /// <c>alloc_frame(num_blocks, identity_map)</c>: the lowest-addressed run of <paramref name="numBlocks"/>
    /// free frames in low memory, identity-mapped through <paramref name="mapper"/> when
    /// <paramref name="identityMap"/> is set. If the mapping fails the frames are given back.
    /// </summary>
    public PmmStatus AllocFrame<TMapper>(uint numBlocks, bool identityMap, ref TMapper mapper, out PhysicalAddress address)
        where TMapper : struct, IFrameMapper =>
        AllocFrames(numBlocks, FrameRegion.Low, 1, identityMap, ref mapper, out address);

    /// <summary>
    /// The lowest-addressed run of <paramref name="count"/> free frames in <paramref name="region"/> whose first
    /// frame number is a multiple of <paramref name="alignmentFrames"/> (a power of two; 1024 for a 4 MiB page).
    /// </summary>
    public PmmStatus AllocFrames(uint count, FrameRegion region, uint alignmentFrames, out PhysicalAddress address)
    {
        var none = default(NoFrameMapper);
        return AllocFrames(count, region, alignmentFrames, false, ref none, out address);
    }

    /// <summary>The general allocation for the caller: region, alignment and optional identity mapping.</summary>
    public PmmStatus AllocFrames<TMapper>(uint count, FrameRegion region, uint alignmentFrames, bool identityMap,
        ref TMapper mapper, out PhysicalAddress address) where TMapper : struct, IFrameMapper =>
        AllocFrames(count, region, alignmentFrames, identityMap, FrameOwner.Caller, ref mapper, out address);

    /// <summary>
    /// The general allocation, held by <paramref name="owner"/>: only a free by the same owner gives it back.
    /// Identity mapping needs an attached mapper (<see cref="PmmStatus.NoMapper"/> otherwise) and low memory.
    /// </summary>
    /// <remarks>Takes the PMM's lock. An identity-mapped run is reserved under it, mapped with it dropped (the mapper
    /// takes the VMM's lock, and the VMM takes page tables from this PMM), then marked under it again; until then a
    /// free of the run is refused as <see cref="PmmStatus.NotAllocated"/>.</remarks>
    public PmmStatus AllocFrames<TMapper>(uint count, FrameRegion region, uint alignmentFrames, bool identityMap,
        FrameOwner owner, ref TMapper mapper, out PhysicalAddress address) where TMapper : struct, IFrameMapper
    {
        address = PhysicalAddress.Null;
        PmmState* s = S;
        uint first = 0;
        uint held = PmmLock.Enter(ref s->Lock);
        PmmStatus status = identityMap && region == FrameRegion.High ? PmmStatus.NotIdentityMappable
            : identityMap && !mapper.IsAttached ? PmmStatus.NoMapper
            : TryCarve(count, region, alignmentFrames, owner, out first);
        if (status == PmmStatus.Ok && identityMap)
        {
            AllocationRecord(first)->Flags |= (uint)ExtentFlags.Transit;
            PmmLock.Exit(ref s->Lock, held);
            bool mapped = mapper.MapIdentity(PhysicalAddress.OfFrame(first), (ulong)count << Frames.Shift);
            held = PmmLock.Enter(ref s->Lock);
            if (mapped)
            {
                ExtentRecord* r = AllocationRecord(first);
                r->Flags = (r->Flags & ~(uint)ExtentFlags.Transit) | (uint)ExtentFlags.IdentityMapped;
            }
            else
            {
                Release(SlotOf(first));
                status = PmmStatus.MappingFailed;
            }
        }
        if (status != PmmStatus.Ok)
        {
            s->FailedAllocations++;
            if (status == PmmStatus.ZeroFrames)
                s->ZeroFrameRequests++;
            PmmLock.Exit(ref s->Lock, held);
            return status;
        }
        s->Allocations++;
        PmmLock.Exit(ref s->Lock, held);
        address = PhysicalAddress.OfFrame(first);
        return PmmStatus.Ok;
    }

    /// <summary><c>free_frame(ptr)</c> without a VMM: gives back the whole allocation that starts at <paramref name="address"/>.</summary>
    public PmmStatus FreeFrame(PhysicalAddress address)
    {
        var none = default(NoFrameMapper);
        return FreeFrame(address, ref none);
    }

    /// <summary>
    /// <c>free_frame(ptr)</c>: gives back the whole allocation that starts at <paramref name="address"/> (the PMM
    /// remembers its length), removing its identity mapping if it had one, and merges it with both free
    /// neighbours. Anything else (a double free, an interior, reserved or foreign address, a run the VMM or the
    /// heap holds) is refused and counted.
    /// </summary>
    public PmmStatus FreeFrame<TMapper>(PhysicalAddress address, ref TMapper mapper) where TMapper : struct, IFrameMapper =>
        FreeFrame(address, FrameOwner.Caller, ref mapper);

    /// <summary>Gives back an allocation <paramref name="owner"/> holds (the VMM's tables, the heap's segments).</summary>
    /// <remarks>Takes the PMM's lock. An identity-mapped allocation is unmapped first, with the lock dropped (the
    /// mapper takes the VMM's lock), and only then goes back to the free store; meanwhile another free of it is
    /// refused as <see cref="PmmStatus.AlreadyFree"/>.</remarks>
    public PmmStatus FreeFrame<TMapper>(PhysicalAddress address, FrameOwner owner, ref TMapper mapper) where TMapper : struct, IFrameMapper
    {
        PmmState* s = S;
        uint held = PmmLock.Enter(ref s->Lock);
        PmmStatus status = Classify(address, out uint id);
        if (status == PmmStatus.Ok && OwnerOf(Store.Record(id)) != owner)
            status = PmmStatus.NotOwner;
        if (status != PmmStatus.Ok)
        {
            s->BadFrees++;
            if (status == PmmStatus.AlreadyFree)
                s->DoubleFrees++;
            PmmLock.Exit(ref s->Lock, held);
            return status;
        }
        ExtentRecord* r = Store.Record(id);
        uint first = r->Start;
        if ((r->Flags & (uint)ExtentFlags.IdentityMapped) != 0)
        {
            // Unmapped with the PMM's lock dropped (the order is VMM, then PMM); the run is in transit meanwhile, so
            // no other free takes it. The record is the slot of the run's first frame, so the id still names it.
            r->Flags |= (uint)ExtentFlags.Transit;
            ulong length = (ulong)r->Length << Frames.Shift;
            PmmLock.Exit(ref s->Lock, held);
            mapper.UnmapIdentity(address, length);
            held = PmmLock.Enter(ref s->Lock);
        }
        Release(id);
        s->RecentFrees[s->RecentFreeNext] = first;
        s->RecentFreeNext = (s->RecentFreeNext + 1) % RecentFreeCapacity;
        s->Frees++;
        PmmLock.Exit(ref s->Lock, held);
        return PmmStatus.Ok;
    }

    /// <summary>How many of the last frees the PMM remembers to tell a double free from a stray one.</summary>
    public const int RecentFreeCapacity = 16;

    /// <summary>The holder of the live allocation starting at <paramref name="address"/>, or false when there is none.</summary>
    public bool AllocationOwner(PhysicalAddress address, out FrameOwner owner)
    {
        PmmState* s = S;
        uint held = PmmLock.Enter(ref s->Lock);
        bool found = Classify(address, out uint id) == PmmStatus.Ok;
        owner = found ? OwnerOf(Store.Record(id)) : FrameOwner.Caller;
        PmmLock.Exit(ref s->Lock, held);
        return found;
    }

    /// <summary>The length in frames of the live allocation starting at <paramref name="address"/>, or 0.</summary>
    public uint AllocationLength(PhysicalAddress address)
    {
        PmmState* s = S;
        uint held = PmmLock.Enter(ref s->Lock);
        uint length = Classify(address, out uint id) == PmmStatus.Ok ? Store.Record(id)->Length : 0;
        PmmLock.Exit(ref s->Lock, held);
        return length;
    }

    private ExtentRecord* AllocationRecord(uint first) => Store.Record(SlotOf(first));

    private static FrameOwner OwnerOf(ExtentRecord* r) =>
        (FrameOwner)((r->Flags & (uint)ExtentFlags.OwnerMask) >> ExtentRecord.OwnerShift);

    /// <summary>Finds the live allocation starting at <paramref name="address"/>, or says why there is none.</summary>
    private PmmStatus Classify(PhysicalAddress address, out uint id)
    {
        id = 0;
        PmmState* s = S;
        if (!address.IsFrameAligned)
            return PmmStatus.Misaligned;
        if (address.Value >= TrackableLimit)
            return PmmStatus.NotAllocated;
        uint frame = (uint)address.FrameNumber;
        uint slot = SlotOf(frame);
        if (slot != 0)
        {
            ExtentRecord* r = Store.Record(slot);
            const uint allocatedHead = (uint)ExtentFlags.Head | (uint)ExtentFlags.Allocated;
            if ((r->Flags & allocatedHead) == allocatedHead)
            {
                // A run whose identity mapping is being made is not handed out yet; one being unmapped is being freed.
                if ((r->Flags & (uint)ExtentFlags.Transit) != 0)
                    return (r->Flags & (uint)ExtentFlags.IdentityMapped) != 0 ? PmmStatus.AlreadyFree : PmmStatus.NotAllocated;
                id = slot;
                return PmmStatus.Ok;
            }
            // Every indexed frame outside the reserved ranges is in a free extent or an allocation: one that is in
            // neither is inside an allocation (a rare path: only a refused free comes here).
            if (!InReservedRange(address.Value) && !InFreeExtent(frame, (FrameRegion)Span((uint)SpanOf(frame))->Region))
                return PmmStatus.NotAllocationStart;
        }
        if (InReservedRange(address.Value))
            return PmmStatus.ReservedMemory;
        // In free memory (or outside it): a double free only if this was the start of a recent free.
        for (int i = 0; i < RecentFreeCapacity; i++)
        {
            if (s->RecentFrees[i] == frame && frame != 0)
                return PmmStatus.AlreadyFree;
        }
        return PmmStatus.NotAllocated;
    }

    private bool InReservedRange(ulong address)
    {
        PmmState* s = S;
        for (uint i = 0; i < s->ReservedCount; i++)
        {
            ReservedRange r = Reserved(i);
            if (address >= r.Base && address - r.Base < r.Length)
                return true;
        }
        return false;
    }

    private bool InFreeExtent(uint frame, FrameRegion region)
    {
        PmmState* s = S;
        ExtentStore store = Store;
        uint floor = AugmentedTree<ExtentStore>.Floor(ref store, region == FrameRegion.High ? s->HighFreeRoot : s->LowFreeRoot, frame);
        return floor != 0 && frame - store.Record(floor)->Start < store.Record(floor)->Length;
    }

    /// <summary>
    /// First fit: the lowest free extent that can hold an aligned run. Candidates (extents whose class is at least
    /// the class of <paramref name="count"/>) are tried in address order. Without alignment and below
    /// <see cref="ExtentClass.ExactLimit"/> frames the first candidate fits; otherwise the first extent of at least
    /// count + alignment - 1 frames always fits, which bounds the scan.
    /// </summary>
    private PmmStatus TryCarve(uint count, FrameRegion region, uint alignment, FrameOwner owner, out uint first)
    {
        first = 0;
        PmmState* s = S;
        if (count == 0)
            return PmmStatus.ZeroFrames;
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
            return PmmStatus.BadAlignment;
        ulong free = region == FrameRegion.High ? s->FreeFramesHigh : s->FreeFramesLow;
        if (count > free)
            return PmmStatus.OutOfMemory;

        ref uint root = ref region == FrameRegion.High ? ref s->HighFreeRoot : ref s->LowFreeRoot;
        ExtentStore store = Store;
        uint sizeClass = ExtentClass.Of(count);
        uint node = alignment == 1 ? LowestFitFor(count, region, root) : AugmentedTree<ExtentStore>.LowestFit(ref store, root, sizeClass);
        ulong runStart = 0;
        while (node != 0)
        {
            ExtentRecord* r = store.Record(node);
            runStart = ((ulong)r->Start + alignment - 1) & ~((ulong)alignment - 1);
            if (runStart + count <= (ulong)r->Start + r->Length)
                break;
            node = AugmentedTree<ExtentStore>.NextFit(ref store, node, sizeClass);
        }
        if (node == 0)
            return PmmStatus.NoContiguousRun;

        // The run [start, end) comes out of the extent [extentStart, extentEnd) at slot node; what is left on either
        // side stays free. Slots are the frames' own, so nothing here can run out of records.
        ExtentRecord* extent = store.Record(node);
        uint extentStart = extent->Start;
        uint extentLength = extent->Length;
        uint extentEnd = extentStart + extentLength;
        uint regionFlags = extent->Flags & (uint)ExtentFlags.High;
        uint start = (uint)runStart;
        uint end = start + count;
        uint lead = start - extentStart, tail = extentEnd - end;
        uint runSlot = node + lead, tailSlot = node + (end - extentStart);
        if (extentLength >= 2)
            ClearSlot(node + extentLength - 1);

        if (lead == 0 && tail == 0)
        {
            AugmentedTree<ExtentStore>.Remove(ref store, ref root, node);
            CountExtents(region, -1);
            CarvedFrom(region, node, 0, 0);
        }
        else if (lead == 0)
        {
            // The rest after the run keeps the extent's place in the tree (its start moves up but stays below the next
            // extent): its node moves to the slot of its new first frame.
            TreeLinks links = extent->Links;
            MarkHead(tailSlot, end, tail, regionFlags);
            store.Record(tailSlot)->Links = links;
            AugmentedTree<ExtentStore>.Moved(ref store, ref root, node, tailSlot);
            MarkFreeTail(tailSlot, end, tail);
            CarvedFrom(region, node, tailSlot, tail);
        }
        else
        {
            extent->Length = lead;
            AugmentedTree<ExtentStore>.SizeChanged(ref store, node);
            MarkFreeTail(node, extentStart, lead);
            CarvedFrom(region, node, node, lead);
            if (tail != 0)
            {
                MarkHead(tailSlot, end, tail, regionFlags);
                MarkFreeTail(tailSlot, end, tail);
                AugmentedTree<ExtentStore>.Insert(ref store, ref root, tailSlot);
                CountExtents(region, +1);
            }
        }

        MarkHead(runSlot, start, count, (uint)ExtentFlags.Allocated | regionFlags | ((uint)owner << ExtentRecord.OwnerShift));
        s->AllocationCount++;
        if (region == FrameRegion.High)
            s->FreeFramesHigh -= count;
        else
            s->FreeFramesLow -= count;
        first = start;
        return PmmStatus.Ok;
    }

    /// <summary>Returns the live allocation whose record is <paramref name="id"/> (the slot of its first frame) to its
    /// free tree, merging with the free extents that touch it on either side (found from the slots beside it).</summary>
    private void Release(uint id)
    {
        PmmState* s = S;
        ExtentStore store = Store;
        ExtentRecord* a = store.Record(id);
        uint start = a->Start, length = a->Length, end = start + length;
        uint regionFlags = a->Flags & (uint)ExtentFlags.High;
        FrameRegion region = regionFlags != 0 ? FrameRegion.High : FrameRegion.Low;
        s->AllocationCount--;
        if (region == FrameRegion.High)
            s->FreeFramesHigh += length;
        else
            s->FreeFramesLow += length;

        ref uint root = ref region == FrameRegion.High ? ref s->HighFreeRoot : ref s->LowFreeRoot;
        int span = SpanOf(start);
        uint before = FreeEndingBefore(id, start, span);
        uint after = FreeStartingAt(id, start, end, span);

        if (before != 0 && after != 0)
        {
            ExtentRecord* b = store.Record(before);
            uint afterLength = store.Record(after)->Length;
            AugmentedTree<ExtentStore>.Remove(ref store, ref root, after);
            ClearSlot(after);
            ClearSlot(id);
            if (b->Length >= 2)
                ClearSlot(id - 1);
            b->Length += length + afterLength;
            MarkFreeTail(before, b->Start, b->Length);
            AugmentedTree<ExtentStore>.SizeGrew(ref store, before, ExtentClass.Of(b->Length));
            CountExtents(region, -1);
            FreedAt(region, before, b->Start, b->Length, after);
        }
        else if (before != 0)
        {
            ExtentRecord* b = store.Record(before);
            ClearSlot(id);
            if (b->Length >= 2)
                ClearSlot(id - 1);
            b->Length += length;
            MarkFreeTail(before, b->Start, b->Length);
            AugmentedTree<ExtentStore>.SizeGrew(ref store, before, ExtentClass.Of(b->Length));
            FreedAt(region, before, b->Start, b->Length, 0);
        }
        else if (after != 0)
        {
            // The extent after takes the run in: its start moves down but stays above the extent before it, so its node
            // keeps its place in the tree and moves to this run's slot.
            ExtentRecord* f = store.Record(after);
            uint newLength = f->Length + length;
            TreeLinks links = f->Links;
            ClearSlot(after); // a one-frame extent's head is also its tail: written again below
            MarkHead(id, start, newLength, regionFlags);
            store.Record(id)->Links = links;
            MarkFreeTail(id, start, newLength);
            AugmentedTree<ExtentStore>.MovedAndGrew(ref store, ref root, after, id, ExtentClass.Of(newLength));
            FreedAt(region, id, start, newLength, after);
        }
        else
        {
            MarkHead(id, start, length, regionFlags);
            MarkFreeTail(id, start, length);
            AugmentedTree<ExtentStore>.Insert(ref store, ref root, id);
            CountExtents(region, +1);
            FreedAt(region, id, start, length, 0);
        }
    }

    private void CountExtents(FrameRegion region, int delta)
    {
        PmmState* s = S;
        if (region == FrameRegion.High)
            s->FreeExtentsHigh = (uint)(s->FreeExtentsHigh + delta);
        else
            s->FreeExtentsLow = (uint)(s->FreeExtentsLow + delta);
    }
}
