using MioOS.Memory.Boot;

namespace MioOS.Memory.Physical;

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

    /// <summary>Record slots: one per frame the PMM indexes (its managed frames, reserved ones among them).</summary>
    public uint RecordCapacity;

    /// <summary>Slots marked: the first frame of every free extent and allocation, and the last frame of every free
    /// extent of two frames or more.</summary>
    public uint RecordsInUse;
}
