using MioOS.Memory.Boot;

namespace MioOS.Memory.Physical;

/// <summary>
/// The PMM's control block, at the start of its metadata area in physical memory. After it: the sanitised
/// memory map, the reserved ranges, the frame spans, then (frame-aligned) the record slots, one per indexed frame.
/// </summary>
internal unsafe struct PmmState
{
    public const uint MagicValue = 0x4D4D5050; // "PPMM"

    public uint Magic;
    public int Lock;                                      // the PMM's lock word (PmmLock): 0 free, 1 held
    public uint MapCount;
    public uint ReservedCount;
    public uint ReservedCapacity;

    public ulong KernelBase, KernelEnd;
    public ulong MetadataBase, MetadataLength;
    public ulong MapOffset, ReservedOffset, SpanOffset, RecordsBase;

    // Frame spans (FrameSpan): which slot each indexed frame owns.
    public uint SpanCount, SpanCapacity;

    // Record slots: ids 1..Capacity, one per indexed frame; InUse = slots marked as a head or a tail.
    public uint RecordCapacity, RecordsInUse;

    // The free trees (nodes: the head slots of free extents) and the live allocations.
    public uint LowFreeRoot, HighFreeRoot, AllocationCount;

    // Figures (frames).
    public FirmwareFigures Firmware;                      // what the map offers, before any reservation
    public ulong ManagedFramesLow, ManagedFramesHigh;     // what the PMM may hand out
    public ulong UntrackedFramesHigh;                     // available high frames the metadata budget did not cover
    public ulong FreeFramesLow, FreeFramesHigh;
    public uint FreeExtentsLow, FreeExtentsHigh;

    // The starts of the last frees (frame numbers), a ring: what lets a double free be told from a free of
    // memory that was never handed out.
    public fixed uint RecentFrees[PhysicalMemoryManager.RecentFreeCapacity];
    public uint RecentFreeNext;

    // First-fit hints (PhysicalMemoryManager.FitHints.cs): low region's counts 1..N, then the high region's.
    public fixed uint FitHints[2 * PhysicalMemoryManager.FitHintCounts];

    // Counters of refused calls.
    public ulong Allocations, Frees;
    public ulong FailedAllocations, ZeroFrameRequests, BadFrees, DoubleFrees;
}
