using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

/// <summary>
/// What <c>PMM.AllocFrame(n, identityMap: true)</c> calls: identity-maps the run in the kernel part of the address
/// space (so every address space sees it) with 4 KiB supervisor read-write pages, Global when the CPU has PGE, and
/// unmaps it when the frames are freed. All or nothing: a run that touches a mapped page, reaches into the user
/// part, or needs a page table no frame is left for, maps nothing.
/// </summary>
public struct VmmFrameMapper<TCpu, TFrames> : IFrameMapper
    where TCpu : struct, ICpu
    where TFrames : struct, IPageTableFrames
{
    private VirtualMemoryManager<TCpu, TFrames> _vmm;

    /// <summary>Maps through <paramref name="vmm"/> (a handle: its state is in memory).</summary>
    public VmmFrameMapper(VirtualMemoryManager<TCpu, TFrames> vmm) => _vmm = vmm;

    /// <inheritdoc/>
    public readonly bool IsAttached => true;

    /// <summary>Why the last <see cref="MapIdentity"/> failed (<see cref="VmmStatus.Ok"/> when it did not).</summary>
    public VmmStatus LastStatus { get; private set; }

    /// <inheritdoc/>
    public bool MapIdentity(PhysicalAddress start, ulong length)
    {
        LastStatus = _vmm.IdentityMapKernelRegion(start, new PhysicalAddress(start.Value + length));
        return LastStatus == VmmStatus.Ok;
    }

    /// <inheritdoc/>
    public void UnmapIdentity(PhysicalAddress start, ulong length) =>
        _vmm.UnmapRegion(start, new PhysicalAddress(start.Value + length));
}
