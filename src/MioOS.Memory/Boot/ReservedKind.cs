namespace MioOS.Memory.Boot;

/// <summary>
/// What a range of physical memory that is never handed out holds: the kernel's own layout (image, initial heap,
/// the PMM's metadata) or something the loader wrote (the boot information and the modules it points to).
/// </summary>
public enum ReservedKind : byte
{
    /// <summary>The kernel image.</summary>
    KernelImage,

    /// <summary>The initial kernel heap.</summary>
    Heap,

    /// <summary>The PMM's own metadata.</summary>
    PmmMetadata,

    /// <summary>The multiboot info block itself (mb1 struct or mb2 tag list).</summary>
    InfoBlock,

    /// <summary>The mb1 memory-map buffer (<c>mmap_addr</c>).</summary>
    MemoryMap,

    /// <summary>The kernel command line string.</summary>
    CommandLine,

    /// <summary>The boot loader's name string.</summary>
    LoaderName,

    /// <summary>The mb1 module list (<c>mods_addr</c>).</summary>
    ModuleList,

    /// <summary>A module's string.</summary>
    ModuleString,

    /// <summary>A module's contents.</summary>
    Module,
}
