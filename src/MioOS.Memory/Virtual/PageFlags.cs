namespace MioOS.Memory.Virtual;

/// <summary>
/// The low flag bits of a 32-bit paging entry (Intel SDM vol. 3, section 4.3, tables 4-4 to 4-6).
/// </summary>
/// <remarks>
/// Bit 7 has two meanings in hardware: PS in a page-directory entry, PAT in a page-table entry. Both names
/// are given. At the level of <see cref="VirtualMemoryManager{TCpu, TFrames}"/> (mapping requests and query
/// results) bit 7 always means <see cref="Pat"/>: for a 4 MiB page the encoder moves it to PDE bit 12 and sets
/// PS itself, and the page size is reported separately.
/// </remarks>
[System.Flags]
public enum PageFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>Bit 0, P: the entry maps something.</summary>
    Present = 1u << 0,

    /// <summary>Bit 1, R/W: writes allowed (for supervisor writes only when CR0.WP = 1 makes it matter).</summary>
    Writable = 1u << 1,

    /// <summary>Bit 2, U/S: user-mode accesses allowed.</summary>
    User = 1u << 2,

    /// <summary>Bit 3, PWT: write-through caching.</summary>
    WriteThrough = 1u << 3,

    /// <summary>Bit 4, PCD: caching disabled.</summary>
    CacheDisable = 1u << 4,

    /// <summary>Bit 5, A: set by the CPU when the entry is used for a translation.</summary>
    Accessed = 1u << 5,

    /// <summary>Bit 6, D: set by the CPU on a write through a PTE or a 4 MiB PDE.</summary>
    Dirty = 1u << 6,

    /// <summary>Bit 7 of a PDE, PS: the entry maps a 4 MiB page (honoured only with CR4.PSE = 1).</summary>
    PageSize = 1u << 7,

    /// <summary>Bit 7 of a PTE, PAT: the page attribute table index bit (bit 12 in a 4 MiB PDE).</summary>
    Pat = 1u << 7,

    /// <summary>Bit 8, G: global translation, kept across CR3 loads when CR4.PGE = 1 (PTE and 4 MiB PDE only).</summary>
    Global = 1u << 8,
}

/// <summary>The size of the page that maps an address.</summary>
public enum PageSize : byte
{
    /// <summary>The address is not mapped.</summary>
    None = 0,

    /// <summary>A 4 KiB page from a page table.</summary>
    Size4KiB = 1,

    /// <summary>A 4 MiB page straight from the page directory (PSE).</summary>
    Size4MiB = 2,
}
