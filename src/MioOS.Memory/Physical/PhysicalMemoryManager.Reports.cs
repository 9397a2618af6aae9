using MioOS.Memory.Boot;
using MioOS.Memory.Collections;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Physical;

/// <summary>Walks extents in address order: the free extents of a region (in its tree), or the live allocations
/// (from frame slot to frame slot, each extent's head naming the next).</summary>
public unsafe struct ExtentCursor
{
    private readonly ExtentStore _store;
    private readonly PhysicalMemoryManager _pmm;
    private readonly bool _allocations;
    private uint _next;
    private uint _span;
    private ulong _frame;

    internal ExtentCursor(ExtentStore store, uint root)
    {
        _store = store;
        _pmm = default;
        _allocations = false;
        _span = 0;
        _frame = 0;
        ExtentStore s = store;
        _next = AugmentedTree<ExtentStore>.Minimum(ref s, root);
    }

    internal ExtentCursor(PhysicalMemoryManager pmm)
    {
        _store = default;
        _pmm = pmm;
        _allocations = true;
        _next = 0;
        _span = 0;
        _frame = 0;
    }

    /// <summary>The next extent: its first byte and its length in frames. False at the end.</summary>
    public bool Next(out PhysicalAddress start, out uint frames)
    {
        if (_allocations)
        {
            while (_pmm.NextHead(ref _span, ref _frame, out uint first, out frames, out bool allocated))
            {
                if (allocated)
                {
                    start = PhysicalAddress.OfFrame(first);
                    return true;
                }
            }
            start = PhysicalAddress.Null;
            frames = 0;
            return false;
        }
        if (_next == 0)
        {
            start = PhysicalAddress.Null;
            frames = 0;
            return false;
        }
        ExtentRecord* r = _store.Record(_next);
        start = PhysicalAddress.OfFrame(r->Start);
        frames = r->Length;
        ExtentStore s = _store;
        _next = AugmentedTree<ExtentStore>.Successor(ref s, _next);
        return true;
    }
}

public readonly unsafe partial struct PhysicalMemoryManager
{
    /// <summary>The free extents of <paramref name="region"/>, lowest first.</summary>
    /// <remarks>Cursors read without the lock: for a PMM nobody else is calling (reports, tests), or a snapshot that
    /// may be torn.</remarks>
    public ExtentCursor FreeExtents(FrameRegion region) =>
        new(Store, region == FrameRegion.High ? S->HighFreeRoot : S->LowFreeRoot);

    /// <summary>The live allocations, lowest first.</summary>
    public ExtentCursor Allocations() => new(this);

    /// <summary>The extent whose head is the first at or after <paramref name="frame"/> in span <paramref name="span"/>
    /// or a later one (free or allocated), moving both past it; reserved frames between extents are skipped a range at
    /// a time. False when the spans are done.</summary>
    internal bool NextHead(ref uint span, ref ulong frame, out uint start, out uint length, out bool allocated)
    {
        PmmState* s = S;
        while (span < s->SpanCount)
        {
            FrameSpan* sp = Span(span);
            ulong spanEnd = (ulong)sp->FirstFrame + sp->Frames;
            if (frame < sp->FirstFrame)
                frame = sp->FirstFrame;
            if (frame >= spanEnd)
            {
                span++;
                continue;
            }
            ExtentRecord* r = Store.Record(sp->FirstSlot + (uint)(frame - sp->FirstFrame));
            if ((r->Flags & (uint)ExtentFlags.Head) != 0 && r->Start == frame && r->Length != 0)
            {
                start = r->Start;
                length = r->Length;
                allocated = (r->Flags & (uint)ExtentFlags.Allocated) != 0;
                frame += length;
                return true;
            }
            // Not an extent's first frame: a reserved range (jumped over whole), else (a damaged slot) the next frame.
            ulong address = frame << Frames.Shift, next = frame + 1;
            for (uint i = 0; i < s->ReservedCount; i++)
            {
                ReservedRange range = Reserved(i);
                if (address >= range.Base && address - range.Base < range.Length)
                    next = (range.Base + range.Length) >> Frames.Shift;
            }
            frame = next;
        }
        start = 0;
        length = 0;
        allocated = false;
        return false;
    }

    /// <summary>The PMM's figures.</summary>
    public PmmStats Stats
    {
        get
        {
            PmmState* s = S;
            uint held = PmmLock.Enter(ref s->Lock);
            var stats = new PmmStats
            {
                InstalledBytes = s->Firmware.InstalledBytes,
                FirmwareFramesLow = s->Firmware.UsableFramesBelow4G,
                FirmwareFramesHigh = s->Firmware.UsableFramesAbove4G,
                UsableFramesLow = s->ManagedFramesLow,
                UsableFramesHigh = s->ManagedFramesHigh,
                UntrackedFramesHigh = s->UntrackedFramesHigh,
                ReservedFrames = s->Firmware.UsableFramesBelow4G + s->Firmware.UsableFramesAbove4G - s->ManagedFramesLow - s->ManagedFramesHigh - s->UntrackedFramesHigh,
                FreeFramesLow = s->FreeFramesLow,
                FreeFramesHigh = s->FreeFramesHigh,
                UsedFrames = s->ManagedFramesLow + s->ManagedFramesHigh - s->FreeFramesLow - s->FreeFramesHigh,
                FreeExtents = s->FreeExtentsLow + s->FreeExtentsHigh,
                Allocations = s->AllocationCount,
                FailedAllocations = s->FailedAllocations,
                ZeroFrameRequests = s->ZeroFrameRequests,
                BadFrees = s->BadFrees,
                DoubleFrees = s->DoubleFrees,
                MetadataBase = s->MetadataBase,
                MetadataLength = s->MetadataLength,
                RecordCapacity = s->RecordCapacity,
                RecordsInUse = s->RecordsInUse,
            };
            PmmLock.Exit(ref s->Lock, held);
            return stats;
        }
    }
}
