using MioOS.Memory.Boot;
using MioOS.Memory.Collections;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Physical;

/// <summary>Walks extents of one tree in address order: free extents of a region, or live allocations.</summary>
public unsafe struct ExtentCursor
{
    private readonly ExtentStore _store;
    private uint _next;

    internal ExtentCursor(ExtentStore store, uint root)
    {
        _store = store;
        ExtentStore s = store;
        _next = AugmentedTree<ExtentStore>.Minimum(ref s, root);
    }

    /// <summary>The next extent: its first byte and its length in frames. False at the end.</summary>
    public bool Next(out PhysicalAddress start, out uint frames)
    {
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
    public ExtentCursor Allocations() => new(Store, S->AllocRoot);

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
