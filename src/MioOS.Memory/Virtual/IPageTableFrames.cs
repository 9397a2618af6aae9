using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

/// <summary>
/// Where the VMM gets the frames for page directories and page tables, and returns them. The PMM implements
/// it on both hosts; tests may use a plain frame list.
/// </summary>
public interface IPageTableFrames
{
    /// <summary>
    /// One 4 KiB frame below 4 GiB (a page-directory entry holds 32 address bits). The VMM zeroes it itself
    /// (through the paging structures once paging is on), so it need not be zero. False when none is left.
    /// </summary>
    bool TryAllocate(out PhysicalAddress frame);

    /// <summary>Takes back a frame <see cref="TryAllocate"/> handed out.</summary>
    void Free(PhysicalAddress frame);
}
