using System;
using MioOS.Memory.Boot;
using MioOS.Memory.Physical;

namespace MioOS.Memory.Virtual;

/// <summary>
/// The physical ranges the kernel's page directory identity-maps when paging is enabled, besides the first
/// 1 MiB and the VMM's own frames. Half-open [start, end); an empty range (end &lt;= start) is skipped.
/// </summary>
public struct KernelSpaceLayout
{
    /// <summary>Start of the kernel image.</summary>
    public ulong KernelStart;

    /// <summary>End of the kernel image.</summary>
    public ulong KernelEnd;

    /// <summary>Start of the kernel heap area.</summary>
    public ulong HeapStart;

    /// <summary>End of the kernel heap area.</summary>
    public ulong HeapEnd;

    /// <summary>Start of the PMM's metadata.</summary>
    public ulong MetadataStart;

    /// <summary>End of the PMM's metadata.</summary>
    public ulong MetadataEnd;

    /// <summary>
    /// Copies the ranges <paramref name="pmm"/> reserved for the boot information and the boot modules into
    /// <paramref name="into"/> (what <c>EnablePaging</c> maps read-only so the kernel can still read them with
    /// paging on) and returns how many there are; only the first <c>into.Length</c> are copied, so a return value
    /// larger than that says the span was too small.
    /// </summary>
    public static int CopyBootRanges(in PhysicalMemoryManager pmm, Span<ReservedRange> into)
    {
        int count = 0;
        uint reserved = pmm.ReservedCount;
        for (uint i = 0; i < reserved; i++)
        {
            ReservedRange r = pmm.Reserved(i);
            if (!r.IsBootData)
                continue;
            if (count < into.Length)
                into[count] = r;
            count++;
        }
        return count;
    }
}

/// <summary>How <c>IdentityMapRegion</c> picks page sizes.</summary>
public enum IdentityMapPolicy : byte
{
    /// <summary>4 KiB pages only.</summary>
    Small = 0,

    /// <summary>A 4 MiB page for every 4 MiB-aligned stretch that lies wholly inside the range and whose
    /// directory slot is empty (when the CPU has PSE); 4 KiB pages elsewhere.</summary>
    BestFit = 1,
}

/// <summary>What maps one virtual address.</summary>
public readonly struct PageInfo
{
    /// <summary>The page size, or <see cref="PageSize.None"/> when nothing maps the address.</summary>
    public readonly PageSize Size;

    /// <summary>The physical address of the byte (page frame plus offset).</summary>
    public readonly Platform.PhysicalAddress Physical;

    /// <summary>
    /// The effective flags: for a 4 KiB page the PTE's flags with R/W and U/S anded with the PDE's (SDM vol. 3,
    /// 4.6); for a 4 MiB page the PDE's flags. Bit 7 is PAT for both sizes.
    /// </summary>
    public readonly PageFlags Flags;

    /// <summary>Creates the record.</summary>
    public PageInfo(PageSize size, Platform.PhysicalAddress physical, PageFlags flags)
    {
        Size = size;
        Physical = physical;
        Flags = flags;
    }

    /// <summary>True when the address is mapped.</summary>
    public bool IsMapped => Size != PageSize.None;
}

/// <summary>Counts over one address space's paging structures.</summary>
public struct PagingCounts
{
    /// <summary>Page tables referenced from the directory (the recursive slot not counted).</summary>
    public uint PageTables;

    /// <summary>Present 4 KiB pages.</summary>
    public uint Mapped4K;

    /// <summary>Present 4 MiB pages.</summary>
    public uint Mapped4M;
}
