using MioOS.Memory.Boot;

namespace MioOS.Memory.Physical;

/// <summary>
/// The PMM's control block, at the start of its metadata area in physical memory. After it: the sanitised
/// memory map, the reserved ranges, then (frame-aligned) the record pool.
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
    public ulong MapOffset, ReservedOffset, RecordsBase;

    // Record pool: ids 1..Capacity; Bump = highest id ever used; FreeList threads released records.
    public uint RecordCapacity, RecordBump, RecordFreeList, RecordsInUse;

    // Trees.
    public uint LowFreeRoot, HighFreeRoot, AllocRoot, AllocationCount;

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

    // Counters of refused calls.
    public ulong Allocations, Frees;
    public ulong FailedAllocations, ZeroFrameRequests, BadFrees, DoubleFrees;
}
