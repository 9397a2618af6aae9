using MioOS.Memory;
using MioOS.Memory.Boot;
using MioOS.Memory.Heap;
using MioOS.Memory.Physical;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.CLib;

/// <summary>The C API's status codes: the values and names of <c>include/mioos/memory.h</c> (a test checks that
/// both say the same). Each core status maps onto one of them; the C layer decides nothing else.</summary>
internal enum MmStatus
{
    Ok = 0,
    CpuUnsupported = -1,
    NotInitialized = -2,
    AlreadyInitialized = -3,
    BadFlags = -4,
    InvalidArgument = -5,
    BadMagic = -10,
    InfoOutsideMemory = -11,
    InfoMisaligned = -12,
    InfoTooSmall = -13,
    TagTruncated = -14,
    TagPastEnd = -15,
    NoEndTag = -16,
    MapEntryTooSmall = -17,
    MapEntryPastEnd = -18,
    MapOutsideMemory = -19,
    NoMemoryMap = -20,
    TooManyMapEntries = -21,
    TooManyModules = -22,
    TooManyBootRegions = -23,
    ModuleListOutsideMemory = -24,
    ModuleInvalid = -25,
    StringUnterminated = -26,
    BadKernelLayout = -30,
    KernelOverlapsHeap = -31,
    BootInfoInHeap = -32,
    NoUsableLowMemory = -33,
    ZeroFrames = -40,
    BadAlignment = -41,
    OutOfMemory = -42,
    NoContiguousRun = -43,
    MappingFailed = -44,
    NotIdentityMappable = -45,
    Misaligned = -46,
    DoubleFree = -47,
    InteriorPointer = -48,
    NotAllocated = -49,
    OutOfMetadata = -50,
    ReservedMemory = -51,
    NotOwner = -52,
    NoMapper = -53,
    AlreadyMapped = -60,
    InsideLargePage = -61,
    PageTableInPlace = -62,
    NotMapped = -63,
    NoFrameForTable = -64,
    PhysTooHigh = -65,
    NoLargePages = -66,
    ReservedRange = -67,
    InvalidRange = -68,
    PagingAlreadyEnabled = -69,
    AddressSpaceInUse = -70,
    InvalidAddressSpace = -71,
    OutsideKernelSpace = -72,
    TooManyAddressSpaces = -73,
    SizeOverflow = -80,
    HeapHeaderCorrupted = -81,
    HeapBlockOrder = -82,
    HeapAdjacentFree = -83,
    HeapTotalsMismatch = -84,
    HeapTreeMismatch = -85,
    HeapControlCorrupted = -86,
    HeapCrossCheck = -87,
    HeapBadGrowth = -88,
    HeapCanaryOverwritten = -89,
    HeapWriteAfterFree = -78,
    HeapBadFreeLink = -79,
    PmmBadMagic = -90,
    PmmBrokenTree = -91,
    PmmOutsideUsable = -92,
    PmmTouchesReserved = -93,
    PmmOverlap = -94,
    PmmNotMerged = -95,
    PmmCountMismatch = -96,
    VmmNotActive = -97,
}

/// <summary>Core statuses onto <see cref="MmStatus"/>, and the C names.</summary>
internal static unsafe class MmStatuses
{
    public static MmStatus Of(PmmStatus s) => s switch
    {
        PmmStatus.Ok => MmStatus.Ok,
        PmmStatus.ZeroFrames => MmStatus.ZeroFrames,
        PmmStatus.BadAlignment => MmStatus.BadAlignment,
        PmmStatus.OutOfMemory => MmStatus.OutOfMemory,
        PmmStatus.NoContiguousRun => MmStatus.NoContiguousRun,
        PmmStatus.MappingFailed => MmStatus.MappingFailed,
        PmmStatus.NotIdentityMappable => MmStatus.NotIdentityMappable,
        PmmStatus.Misaligned => MmStatus.Misaligned,
        PmmStatus.AlreadyFree => MmStatus.DoubleFree,
        PmmStatus.NotAllocationStart => MmStatus.InteriorPointer,
        PmmStatus.NotAllocated => MmStatus.NotAllocated,
        PmmStatus.ReservedMemory => MmStatus.ReservedMemory,
        PmmStatus.NotOwner => MmStatus.NotOwner,
        PmmStatus.NoMapper => MmStatus.NoMapper,
        _ => MmStatus.OutOfMetadata,
    };

    public static MmStatus Of(VmmStatus s) => s switch
    {
        VmmStatus.Ok => MmStatus.Ok,
        VmmStatus.Misaligned => MmStatus.Misaligned,
        VmmStatus.AlreadyMapped => MmStatus.AlreadyMapped,
        VmmStatus.InsideLargePage => MmStatus.InsideLargePage,
        VmmStatus.PageTableInPlace => MmStatus.PageTableInPlace,
        VmmStatus.NotMapped => MmStatus.NotMapped,
        VmmStatus.NoFrame => MmStatus.NoFrameForTable,
        VmmStatus.PhysicalAddressTooHigh => MmStatus.PhysTooHigh,
        VmmStatus.LargePagesNotSupported => MmStatus.NoLargePages,
        VmmStatus.ReservedRange => MmStatus.ReservedRange,
        VmmStatus.InvalidRange => MmStatus.InvalidRange,
        VmmStatus.PagingAlreadyEnabled => MmStatus.PagingAlreadyEnabled,
        VmmStatus.AddressSpaceInUse => MmStatus.AddressSpaceInUse,
        VmmStatus.InvalidAddressSpace => MmStatus.InvalidAddressSpace,
        VmmStatus.OutsideKernelSpace => MmStatus.OutsideKernelSpace,
        _ => MmStatus.TooManyAddressSpaces,
    };

    public static MmStatus Of(HeapStatus s) => s switch
    {
        HeapStatus.Ok => MmStatus.Ok,
        HeapStatus.OutOfMemory => MmStatus.OutOfMemory,
        HeapStatus.SizeOverflow => MmStatus.SizeOverflow,
        HeapStatus.InvalidAlignment => MmStatus.BadAlignment,
        HeapStatus.ForeignPointer => MmStatus.NotAllocated,
        HeapStatus.MisalignedPointer => MmStatus.Misaligned,
        HeapStatus.NotABlockStart => MmStatus.InteriorPointer,
        HeapStatus.DoubleFree => MmStatus.DoubleFree,
        HeapStatus.HeaderCorrupted => MmStatus.HeapHeaderCorrupted,
        HeapStatus.BlockOrderBroken => MmStatus.HeapBlockOrder,
        HeapStatus.AdjacentFreeBlocks => MmStatus.HeapAdjacentFree,
        HeapStatus.TotalsMismatch => MmStatus.HeapTotalsMismatch,
        HeapStatus.TreeMismatch => MmStatus.HeapTreeMismatch,
        HeapStatus.ControlCorrupted => MmStatus.HeapControlCorrupted,
        HeapStatus.CrossCheckMismatch => MmStatus.HeapCrossCheck,
        HeapStatus.CanaryOverwritten => MmStatus.HeapCanaryOverwritten,
        HeapStatus.WriteAfterFree => MmStatus.HeapWriteAfterFree,
        HeapStatus.BadFreeLink => MmStatus.HeapBadFreeLink,
        _ => MmStatus.HeapBadGrowth,
    };

    public static MmStatus Of(BootInfoStatus s) => s switch
    {
        BootInfoStatus.Ok => MmStatus.Ok,
        BootInfoStatus.UnknownMagic => MmStatus.BadMagic,
        BootInfoStatus.InfoOutsideMemory => MmStatus.InfoOutsideMemory,
        BootInfoStatus.InfoMisaligned => MmStatus.InfoMisaligned,
        BootInfoStatus.InfoTooSmall => MmStatus.InfoTooSmall,
        BootInfoStatus.TagTruncated => MmStatus.TagTruncated,
        BootInfoStatus.TagPastEnd => MmStatus.TagPastEnd,
        BootInfoStatus.NoEndTag => MmStatus.NoEndTag,
        BootInfoStatus.EntrySizeTooSmall => MmStatus.MapEntryTooSmall,
        BootInfoStatus.EntryPastEnd => MmStatus.MapEntryPastEnd,
        BootInfoStatus.MapOutsideMemory => MmStatus.MapOutsideMemory,
        BootInfoStatus.NoMemoryMap => MmStatus.NoMemoryMap,
        BootInfoStatus.TooManyMapEntries => MmStatus.TooManyMapEntries,
        BootInfoStatus.TooManyModules => MmStatus.TooManyModules,
        BootInfoStatus.TooManyRegions => MmStatus.TooManyBootRegions,
        BootInfoStatus.ModuleListOutsideMemory => MmStatus.ModuleListOutsideMemory,
        BootInfoStatus.ModuleInvalid => MmStatus.ModuleInvalid,
        _ => MmStatus.StringUnterminated,
    };

    public static MmStatus Of(SanitizeStatus s) => s == SanitizeStatus.Ok ? MmStatus.Ok : MmStatus.TooManyMapEntries;

    public static MmStatus Of(PmmInitStatus s) => s switch
    {
        PmmInitStatus.Ok => MmStatus.Ok,
        PmmInitStatus.BadKernelLayout => MmStatus.BadKernelLayout,
        PmmInitStatus.KernelOverlapsHeap => MmStatus.KernelOverlapsHeap,
        PmmInitStatus.BootInfoInHeap => MmStatus.BootInfoInHeap,
        _ => MmStatus.NoUsableLowMemory,
    };

    public static MmStatus Of(PmmIntegrityStatus s) => s switch
    {
        PmmIntegrityStatus.Ok => MmStatus.Ok,
        PmmIntegrityStatus.BadMagic => MmStatus.PmmBadMagic,
        PmmIntegrityStatus.BrokenTree => MmStatus.PmmBrokenTree,
        PmmIntegrityStatus.OutsideUsableMemory => MmStatus.PmmOutsideUsable,
        PmmIntegrityStatus.TouchesReserved => MmStatus.PmmTouchesReserved,
        PmmIntegrityStatus.Overlap => MmStatus.PmmOverlap,
        PmmIntegrityStatus.NotMerged => MmStatus.PmmNotMerged,
        _ => MmStatus.PmmCountMismatch,
    };

    /// <summary>The failed stage's own status, mapped.</summary>
    public static MmStatus Of(BringUpResult r) => r.FailedStage switch
    {
        BringUpStage.None => MmStatus.Ok,
        BringUpStage.BootInfo => Of((BootInfoStatus)r.Status),
        BringUpStage.MemoryMap => Of((SanitizeStatus)r.Status),
        BringUpStage.Pmm => Of((PmmInitStatus)r.Status),
        BringUpStage.Vmm => Of((VmmStatus)r.Status),
        _ => Of((HeapStatus)r.Status),
    };

    /// <summary>The NUL-terminated C name (UTF-8 literals are stored with a terminating NUL).</summary>
    public static byte* Name(MmStatus s) => s switch
    {
        MmStatus.Ok => P("MM_OK"u8),
        MmStatus.CpuUnsupported => P("MM_E_CPU_UNSUPPORTED"u8),
        MmStatus.NotInitialized => P("MM_E_NOT_INITIALIZED"u8),
        MmStatus.AlreadyInitialized => P("MM_E_ALREADY_INITIALIZED"u8),
        MmStatus.BadFlags => P("MM_E_BAD_FLAGS"u8),
        MmStatus.InvalidArgument => P("MM_E_INVALID_ARGUMENT"u8),
        MmStatus.BadMagic => P("MM_E_BAD_MAGIC"u8),
        MmStatus.InfoOutsideMemory => P("MM_E_INFO_OUTSIDE_MEMORY"u8),
        MmStatus.InfoMisaligned => P("MM_E_INFO_MISALIGNED"u8),
        MmStatus.InfoTooSmall => P("MM_E_INFO_TOO_SMALL"u8),
        MmStatus.TagTruncated => P("MM_E_TAG_TRUNCATED"u8),
        MmStatus.TagPastEnd => P("MM_E_TAG_PAST_END"u8),
        MmStatus.NoEndTag => P("MM_E_NO_END_TAG"u8),
        MmStatus.MapEntryTooSmall => P("MM_E_MAP_ENTRY_TOO_SMALL"u8),
        MmStatus.MapEntryPastEnd => P("MM_E_MAP_ENTRY_PAST_END"u8),
        MmStatus.MapOutsideMemory => P("MM_E_MAP_OUTSIDE_MEMORY"u8),
        MmStatus.NoMemoryMap => P("MM_E_NO_MEMORY_MAP"u8),
        MmStatus.TooManyMapEntries => P("MM_E_TOO_MANY_MAP_ENTRIES"u8),
        MmStatus.TooManyModules => P("MM_E_TOO_MANY_MODULES"u8),
        MmStatus.TooManyBootRegions => P("MM_E_TOO_MANY_BOOT_REGIONS"u8),
        MmStatus.ModuleListOutsideMemory => P("MM_E_MODULE_LIST_OUTSIDE_MEMORY"u8),
        MmStatus.ModuleInvalid => P("MM_E_MODULE_INVALID"u8),
        MmStatus.StringUnterminated => P("MM_E_STRING_UNTERMINATED"u8),
        MmStatus.BadKernelLayout => P("MM_E_BAD_KERNEL_LAYOUT"u8),
        MmStatus.KernelOverlapsHeap => P("MM_E_KERNEL_OVERLAPS_HEAP"u8),
        MmStatus.BootInfoInHeap => P("MM_E_BOOT_INFO_IN_HEAP"u8),
        MmStatus.NoUsableLowMemory => P("MM_E_NO_USABLE_LOW_MEMORY"u8),
        MmStatus.ZeroFrames => P("MM_E_ZERO_FRAMES"u8),
        MmStatus.BadAlignment => P("MM_E_BAD_ALIGNMENT"u8),
        MmStatus.OutOfMemory => P("MM_E_OUT_OF_MEMORY"u8),
        MmStatus.NoContiguousRun => P("MM_E_NO_CONTIGUOUS_RUN"u8),
        MmStatus.MappingFailed => P("MM_E_MAPPING_FAILED"u8),
        MmStatus.NotIdentityMappable => P("MM_E_NOT_IDENTITY_MAPPABLE"u8),
        MmStatus.Misaligned => P("MM_E_MISALIGNED"u8),
        MmStatus.DoubleFree => P("MM_E_DOUBLE_FREE"u8),
        MmStatus.InteriorPointer => P("MM_E_INTERIOR_POINTER"u8),
        MmStatus.NotAllocated => P("MM_E_NOT_ALLOCATED"u8),
        MmStatus.OutOfMetadata => P("MM_E_OUT_OF_METADATA"u8),
        MmStatus.ReservedMemory => P("MM_E_RESERVED_MEMORY"u8),
        MmStatus.NotOwner => P("MM_E_NOT_OWNER"u8),
        MmStatus.NoMapper => P("MM_E_NO_MAPPER"u8),
        MmStatus.AlreadyMapped => P("MM_E_ALREADY_MAPPED"u8),
        MmStatus.InsideLargePage => P("MM_E_INSIDE_LARGE_PAGE"u8),
        MmStatus.PageTableInPlace => P("MM_E_PAGE_TABLE_IN_PLACE"u8),
        MmStatus.NotMapped => P("MM_E_NOT_MAPPED"u8),
        MmStatus.NoFrameForTable => P("MM_E_NO_FRAME_FOR_TABLE"u8),
        MmStatus.PhysTooHigh => P("MM_E_PHYS_TOO_HIGH"u8),
        MmStatus.NoLargePages => P("MM_E_NO_LARGE_PAGES"u8),
        MmStatus.ReservedRange => P("MM_E_RESERVED_RANGE"u8),
        MmStatus.InvalidRange => P("MM_E_INVALID_RANGE"u8),
        MmStatus.PagingAlreadyEnabled => P("MM_E_PAGING_ALREADY_ENABLED"u8),
        MmStatus.AddressSpaceInUse => P("MM_E_ADDRESS_SPACE_IN_USE"u8),
        MmStatus.InvalidAddressSpace => P("MM_E_INVALID_ADDRESS_SPACE"u8),
        MmStatus.OutsideKernelSpace => P("MM_E_OUTSIDE_KERNEL_SPACE"u8),
        MmStatus.TooManyAddressSpaces => P("MM_E_TOO_MANY_ADDRESS_SPACES"u8),
        MmStatus.SizeOverflow => P("MM_E_SIZE_OVERFLOW"u8),
        MmStatus.HeapHeaderCorrupted => P("MM_E_HEAP_HEADER_CORRUPTED"u8),
        MmStatus.HeapBlockOrder => P("MM_E_HEAP_BLOCK_ORDER"u8),
        MmStatus.HeapAdjacentFree => P("MM_E_HEAP_ADJACENT_FREE"u8),
        MmStatus.HeapTotalsMismatch => P("MM_E_HEAP_TOTALS_MISMATCH"u8),
        MmStatus.HeapTreeMismatch => P("MM_E_HEAP_TREE_MISMATCH"u8),
        MmStatus.HeapControlCorrupted => P("MM_E_HEAP_CONTROL_CORRUPTED"u8),
        MmStatus.HeapCrossCheck => P("MM_E_HEAP_CROSS_CHECK"u8),
        MmStatus.HeapBadGrowth => P("MM_E_HEAP_BAD_GROWTH"u8),
        MmStatus.HeapCanaryOverwritten => P("MM_E_HEAP_CANARY_OVERWRITTEN"u8),
        MmStatus.HeapWriteAfterFree => P("MM_E_HEAP_WRITE_AFTER_FREE"u8),
        MmStatus.HeapBadFreeLink => P("MM_E_HEAP_BAD_FREE_LINK"u8),
        MmStatus.PmmBadMagic => P("MM_E_PMM_BAD_MAGIC"u8),
        MmStatus.PmmBrokenTree => P("MM_E_PMM_BROKEN_TREE"u8),
        MmStatus.PmmOutsideUsable => P("MM_E_PMM_OUTSIDE_USABLE"u8),
        MmStatus.PmmTouchesReserved => P("MM_E_PMM_TOUCHES_RESERVED"u8),
        MmStatus.PmmOverlap => P("MM_E_PMM_OVERLAP"u8),
        MmStatus.PmmNotMerged => P("MM_E_PMM_NOT_MERGED"u8),
        MmStatus.PmmCountMismatch => P("MM_E_PMM_COUNT_MISMATCH"u8),
        MmStatus.VmmNotActive => P("MM_E_VMM_NOT_ACTIVE"u8),
        _ => P("MM_E_UNKNOWN"u8),
    };

    private static byte* P(System.ReadOnlySpan<byte> literal)
    {
        // The bytes are static data in the image: the pointer stays valid after the fixed block.
        fixed (byte* p = literal)
            return p;
    }
}
