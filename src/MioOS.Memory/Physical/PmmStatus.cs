namespace MioOS.Memory.Physical;

/// <summary>Result of a PMM call. Every failure leaves the PMM exactly as it was.</summary>
public enum PmmStatus : byte
{
    /// <summary>Done.</summary>
    Ok,

    /// <summary>Zero frames were asked for.</summary>
    ZeroFrames,

    /// <summary>The alignment is not a power of two.</summary>
    BadAlignment,

    /// <summary>More frames were asked for than the region has free.</summary>
    OutOfMemory,

    /// <summary>Enough frames are free, but no run of them is contiguous (and aligned) enough.</summary>
    NoContiguousRun,

    /// <summary>Identity mapping was asked for but the mapper refused (the frames were given back).</summary>
    MappingFailed,

    /// <summary>Identity mapping was asked for memory at or above 4 GiB, which no 32-bit address can equal.</summary>
    NotIdentityMappable,

    /// <summary>Free of an address that is not at a frame boundary.</summary>
    Misaligned,

    /// <summary>Free of the start of an allocation that was freed recently and not handed out since: a double
    /// free (the PMM remembers the last <see cref="PhysicalMemoryManager.RecentFreeCapacity"/> frees).</summary>
    AlreadyFree,

    /// <summary>Free of an address inside a live allocation that is not its first frame.</summary>
    NotAllocationStart,

    /// <summary>Free of an address that is not in any live allocation and not a recent one (free memory that was
    /// never handed out, or handed out and freed too long ago to tell, or outside memory).</summary>
    NotAllocated,

    /// <summary>Free of memory that is never handed out: the kernel image, the heap area, the PMM's metadata, the
    /// boot information or a module.</summary>
    ReservedMemory,

    /// <summary>Free of a live allocation the caller does not hold (a page table of the VMM, a segment of the heap):
    /// only its <see cref="FrameOwner"/> gives it back.</summary>
    NotOwner,

    /// <summary>Identity mapping was asked for, but no VMM is attached to map it (nothing was taken).</summary>
    NoMapper,

    /// <summary>No record for the run. Never returned: every managed frame has its own record slot (kept so that the
    /// statuses, and the C library's codes, stay what they were).</summary>
    OutOfMetadata,
}

/// <summary>Why <see cref="PhysicalMemoryManager.Initialize"/> refused to start.</summary>
public enum PmmInitStatus : byte
{
    /// <summary>Initialised.</summary>
    Ok,

    /// <summary>The kernel base is not frame-aligned, or the image ends before it starts.</summary>
    BadKernelLayout,

    /// <summary>The kernel image reaches into the heap area (base + 1 MiB).</summary>
    KernelOverlapsHeap,

    /// <summary>Boot information or a module lies inside the initial heap area (<c>Address</c> = its base). (The metadata
    /// area is placed clear of them, so it cannot collide.)</summary>
    BootInfoInHeap,

    /// <summary>The kernel image, heap and metadata area do not all lie in available memory (<c>Address</c> = first byte that is not).</summary>
    NoUsableLowMemory,
}
