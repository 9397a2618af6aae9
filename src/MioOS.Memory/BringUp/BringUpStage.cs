namespace MioOS.Memory;

/// <summary>
/// The stages of the memory subsystem's bring-up, in the spec's order (boot info, then the PMM, then the VMM
/// with paging on, then the heap). A stage runs only once every stage before it has succeeded.
/// </summary>
public enum BringUpStage : byte
{
    /// <summary>Nothing has run yet (as a failed stage: nothing failed).</summary>
    None,

    /// <summary>The multiboot information block read from the loader's handoff (EAX, EBX).</summary>
    BootInfo,

    /// <summary>The loader's raw memory map sanitised (overlaps resolved, sorted, merged, whole frames).</summary>
    MemoryMap,

    /// <summary>The physical memory manager started from the sanitised map, boot data reserved.</summary>
    Pmm,

    /// <summary>The virtual memory manager created, kernel space identity-mapped and paging turned on.</summary>
    Vmm,

    /// <summary>The kernel heap laid at kernel base + 0x100000, growing by PMM frames the VMM maps.</summary>
    Heap,
}
