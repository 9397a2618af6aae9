using MioOS.Memory.Boot;

namespace MioOS.Memory.Physical;

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
