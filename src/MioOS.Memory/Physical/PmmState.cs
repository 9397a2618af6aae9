using MioOS.Memory.Boot;

namespace MioOS.Memory.Physical;

/// <summary>
/// The PMM's control block, at the start of its metadata area in physical memory. After it: the sanitised
/// memory map, the reserved ranges, then (frame-aligned) the record pool.
/// </summary>
internal struct PmmState
{
    public const uint MagicValue = 0x4D4D5050; // "PPMM"

    public uint Magic;
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
    public ulong FirmwareFramesLow, FirmwareFramesHigh;   // whole frames of available memory below / above 4 GiB
    public ulong ManagedFramesLow, ManagedFramesHigh;     // what the PMM may hand out
    public ulong UntrackedFramesHigh;                     // available high frames the metadata budget did not cover
    public ulong FreeFramesLow, FreeFramesHigh;
    public uint FreeExtentsLow, FreeExtentsHigh;

    // Counters of refused calls.
    public ulong Allocations, Frees;
    public ulong FailedAllocations, ZeroFrameRequests, BadFrees, DoubleFrees;
}

/// <summary>A range the PMM never hands out, kept in the metadata area for reports and the integrity walk.</summary>
public struct ReservedRange
{
    /// <summary>First byte (frame-aligned).</summary>
    public ulong Base;

    /// <summary>Bytes (whole frames).</summary>
    public ulong Length;

    /// <summary>What it is.</summary>
    public ReservedKind Kind;

    /// <summary>Creates a range.</summary>
    public ReservedRange(ulong baseAddress, ulong length, ReservedKind kind)
    {
        Base = baseAddress;
        Length = length;
        Kind = kind;
    }
}

/// <summary>Why a range is reserved.</summary>
public enum ReservedKind : byte
{
    /// <summary>The kernel image.</summary>
    KernelImage,

    /// <summary>The initial kernel heap.</summary>
    Heap,

    /// <summary>The PMM's own metadata.</summary>
    PmmMetadata,

    /// <summary>The boot information block and what it points to.</summary>
    BootInfo,

    /// <summary>A boot module.</summary>
    Module,
}

/// <summary>The PMM's figures (frames unless named bytes).</summary>
public struct PmmStats
{
    /// <summary>Bytes of RAM the map lists (available, ACPI, NVS, bad RAM).</summary>
    public ulong InstalledBytes;

    /// <summary>Whole frames inside available ranges below 4 GiB, before any reservation of ours.</summary>
    public ulong FirmwareFramesLow;

    /// <summary>Whole frames inside available ranges at or above 4 GiB.</summary>
    public ulong FirmwareFramesHigh;

    /// <summary>Frames the PMM manages below 4 GiB (the low region less the kernel, heap, metadata, boot info).</summary>
    public ulong UsableFramesLow;

    /// <summary>Frames the PMM manages at or above 4 GiB.</summary>
    public ulong UsableFramesHigh;

    /// <summary>Available frames the PMM does not hand out: the low 1 MiB, kernel, heap, metadata, boot info, modules.</summary>
    public ulong ReservedFrames;

    /// <summary>Available high frames beyond what the metadata budget tracks.</summary>
    public ulong UntrackedFramesHigh;

    /// <summary>Free frames below 4 GiB.</summary>
    public ulong FreeFramesLow;

    /// <summary>Free frames at or above 4 GiB.</summary>
    public ulong FreeFramesHigh;

    /// <summary>Frames in live allocations.</summary>
    public ulong UsedFrames;

    /// <summary>Free extents, low and high.</summary>
    public uint FreeExtents;

    /// <summary>Live allocations.</summary>
    public uint Allocations;

    /// <summary>Allocation calls that failed (zero frames, bad alignment, out of memory, mapping).</summary>
    public ulong FailedAllocations;

    /// <summary>Of those, requests for zero frames.</summary>
    public ulong ZeroFrameRequests;

    /// <summary>Frees refused (misaligned, not an allocation start, never allocated), double frees included.</summary>
    public ulong BadFrees;

    /// <summary>Of those, frees of frames already free.</summary>
    public ulong DoubleFrees;

    /// <summary>Physical address of the metadata area.</summary>
    public ulong MetadataBase;

    /// <summary>Bytes of the metadata area.</summary>
    public ulong MetadataLength;

    /// <summary>Records the metadata area holds (free extents + allocations never exceed it).</summary>
    public uint RecordCapacity;

    /// <summary>Records in use.</summary>
    public uint RecordsInUse;
}
