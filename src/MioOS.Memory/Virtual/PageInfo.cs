using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

/// <summary>What maps one virtual address.</summary>
public readonly struct PageInfo
{
    /// <summary>The page size, or <see cref="PageSize.None"/> when nothing maps the address.</summary>
    public readonly PageSize Size;

    /// <summary>The physical address of the byte (page frame plus offset).</summary>
    public readonly PhysicalAddress Physical;

    /// <summary>
    /// The effective flags: for a 4 KiB page the PTE's flags with R/W and U/S anded with the PDE's (SDM vol. 3,
    /// 4.6; <see cref="PageTableEntry.EffectiveFlags"/>); for a 4 MiB page the PDE's flags. Bit 7 is PAT for both
    /// sizes.
    /// </summary>
    public readonly PageFlags Flags;

    /// <summary>Creates the record.</summary>
    public PageInfo(PageSize size, PhysicalAddress physical, PageFlags flags)
    {
        Size = size;
        Physical = physical;
        Flags = flags;
    }

    /// <summary>True when the address is mapped.</summary>
    public bool IsMapped => Size != PageSize.None;
}
