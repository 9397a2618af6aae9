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
