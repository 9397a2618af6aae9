using MioOS.Memory.Platform;

namespace MioOS.Memory.Physical;

/// <summary>
/// Where the kernel sits in physical memory (design.md, "Default layout"): the image from its physical base to
/// its end symbol and the heap at base + 1 MiB for 3 MiB. (The PMM places its metadata after the heap when the
/// available range there holds it, else lower down; see <see cref="PhysicalMemoryManager.Initialize"/>.)
/// </summary>
public readonly struct KernelLayout
{
    /// <summary>The end of the first MiB (BIOS data, EBDA, VGA, option ROMs): never handed out, identity-mapped
    /// when paging is on, except its first page.</summary>
    public const ulong LowMemoryEnd = 0x100000;

    /// <summary>The end of page 0, which stays unmapped with paging on so that a NULL dereference faults.</summary>
    public const ulong NullGuardEnd = Frames.Size;

    /// <summary>Where GRUB and QEMU load the image: 1 MiB.</summary>
    public const ulong DefaultKernelBase = LowMemoryEnd;

    /// <summary>The heap starts this far above the kernel base (spec section 3).</summary>
    public const ulong HeapOffset = 0x100000;

    /// <summary>The heap's initial size (spec section 3).</summary>
    public const ulong InitialHeapSize = 3ul << 20;

    /// <summary>
    /// The kernel's half of every address space (0 to 2 GiB), where the VMM identity-maps what the kernel itself
    /// touches: the PMM places its metadata below this.
    /// </summary>
    public const ulong IdentityMappedLimit = 0x80000000;

    /// <summary>The kernel image's first byte.</summary>
    public readonly ulong KernelBase;

    /// <summary>The first byte after the kernel image (its end symbol, bss included).</summary>
    public readonly ulong KernelEnd;

    /// <summary>Creates a layout.</summary>
    public KernelLayout(ulong kernelBase, ulong kernelEnd)
    {
        KernelBase = kernelBase;
        KernelEnd = kernelEnd;
    }

    /// <summary>The heap's first byte: kernel base + 0x100000.</summary>
    public ulong HeapStart => KernelBase + HeapOffset;

    /// <summary>The first byte after the initial heap.</summary>
    public ulong HeapEnd => HeapStart + InitialHeapSize;
}
