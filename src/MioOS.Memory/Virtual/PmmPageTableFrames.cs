using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

/// <summary>
/// The VMM's frame source on both hosts: single frames from the PMM's low region (first fit), given back with
/// <c>FreeFrame</c>, held as <see cref="FrameOwner.PageTables"/> so that no other free can give a live table back.
/// A handle like the PMM itself, so copies are fine.
/// </summary>
public readonly struct PmmPageTableFrames : IPageTableFrames
{
    private readonly PhysicalMemoryManager _pmm;

    /// <summary>Takes page tables from <paramref name="pmm"/>.</summary>
    public PmmPageTableFrames(PhysicalMemoryManager pmm) => _pmm = pmm;

    /// <summary>The PMM behind the source.</summary>
    public PhysicalMemoryManager Pmm => _pmm;

    /// <inheritdoc/>
    public bool TryAllocate(out PhysicalAddress frame)
    {
        var none = default(NoFrameMapper);
        return _pmm.AllocFrames(1, FrameRegion.Low, 1, false, FrameOwner.PageTables, ref none, out frame) == PmmStatus.Ok;
    }

    /// <inheritdoc/>
    public void Free(PhysicalAddress frame)
    {
        var none = default(NoFrameMapper);
        _pmm.FreeFrame(frame, FrameOwner.PageTables, ref none);
    }
}
