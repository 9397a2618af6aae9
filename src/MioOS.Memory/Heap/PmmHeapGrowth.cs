using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Heap;

/// <summary>
/// The kernel's heap growth source: whole frames of low memory from the PMM, identity-mapped through
/// <typeparamref name="TMapper"/> (the VMM once paging is on; with <see cref="NoFrameMapper"/>, before, the frames are
/// used as they are), held as <see cref="FrameOwner.HeapSegments"/>. A handle:
/// the PMM's state and the page tables live in memory. Called with the heap lock held: the PMM and the VMM take theirs (heap, then VMM, then PMM;
/// the PMM maps the segment with its own lock dropped).
/// </summary>
public struct PmmHeapGrowth<TMapper> : IHeapGrowth where TMapper : struct, IFrameMapper
{
    private readonly PhysicalMemoryManager _pmm;
    private TMapper _mapper;

    /// <summary>A source taking frames from <paramref name="pmm"/>, mapped by <paramref name="mapper"/>.</summary>
    public PmmHeapGrowth(PhysicalMemoryManager pmm, TMapper mapper)
    {
        _pmm = pmm;
        _mapper = mapper;
    }

    /// <inheritdoc/>
    public bool TryGrow(uint minBytes, out uint start, out uint length)
    {
        start = 0;
        length = 0;
        uint frames = (uint)(((ulong)minBytes + Frames.Size - 1) >> Frames.Shift);
        if (frames == 0
            || _pmm.AllocFrames(frames, FrameRegion.Low, 1, _mapper.IsAttached, FrameOwner.HeapSegments, ref _mapper,
                out PhysicalAddress address) != PmmStatus.Ok)
            return false;
        if (address.Value + ((ulong)frames << Frames.Shift) > AddressLimits.FourGiB)
        {
            _pmm.FreeFrame(address, FrameOwner.HeapSegments, ref _mapper);
            return false;
        }
        start = (uint)address.Value;
        length = frames << Frames.Shift;
        return true;
    }

    /// <inheritdoc/>
    public void Release(uint start, uint length) => _pmm.FreeFrame(new PhysicalAddress(start), FrameOwner.HeapSegments, ref _mapper);
}
