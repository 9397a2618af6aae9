namespace MioOS.Memory.Virtual;

/// <summary>The outcome of a VMM operation. Every failure leaves the paging structures as they were.</summary>
public enum VmmStatus : byte
{
    /// <summary>Done.</summary>
    Ok = 0,

    /// <summary>A virtual or physical address is not aligned to the page size asked for.</summary>
    Misaligned,

    /// <summary>The virtual page is already mapped.</summary>
    AlreadyMapped,

    /// <summary>A 4 KiB mapping was asked for inside an existing 4 MiB page.</summary>
    InsideLargePage,

    /// <summary>A 4 MiB mapping was asked for where a page table already sits.</summary>
    PageTableInPlace,

    /// <summary>Nothing is mapped at the address.</summary>
    NotMapped,

    /// <summary>The frame source had no frame for a page table (or a directory).</summary>
    NoFrame,

    /// <summary>The physical address cannot be encoded: at or above 4 GiB for a 4 KiB page, at or above 2^M
    /// for a 4 MiB page, or above 4 GiB on a CPU without PSE-36.</summary>
    PhysicalAddressTooHigh,

    /// <summary>The CPU has no PSE, so there are no 4 MiB pages.</summary>
    LargePagesNotSupported,

    /// <summary>The virtual address lies in the VMM's own top 8 MiB (the scratch slot and the recursive table area).</summary>
    ReservedRange,

    /// <summary>A range is empty, reversed, or reaches past 4 GiB.</summary>
    InvalidRange,

    /// <summary>Paging is already on (for <c>EnablePaging</c>), or was on before the VMM was created.</summary>
    PagingAlreadyEnabled,

    /// <summary>The address space is the kernel's or the current one, so it cannot be destroyed.</summary>
    AddressSpaceInUse,

    /// <summary>The directory address does not name a page directory this VMM made.</summary>
    InvalidAddressSpace,

    /// <summary>A kernel range reaches into the user part of the address space (at or above
    /// <see cref="PagingLayout.KernelSpaceEnd"/>), where it would not be shared by every address space.</summary>
    OutsideKernelSpace,

    /// <summary>The VMM's list of address spaces is full.</summary>
    TooManyAddressSpaces,
}
