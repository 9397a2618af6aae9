using MioOS.Memory.Heap;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Faults;

/// <summary>Counts the PMM calls made on behalf of one operation and refuses the one numbered <see cref="RefuseAt"/>.</summary>
public sealed class FaultPlan(int refuseAt)
{
    /// <summary>Which call to refuse (1 = the first).</summary>
    public int RefuseAt { get; } = refuseAt;

    /// <summary>Calls counted so far.</summary>
    public int Calls { get; private set; }

    /// <summary>True once the call numbered <see cref="RefuseAt"/> came and was refused.</summary>
    public bool Refused { get; private set; }

    /// <summary>Counts a call; false when it is the one to refuse.</summary>
    public bool Allow()
    {
        Calls++;
        if (Calls != RefuseAt)
            return true;
        Refused = true;
        return false;
    }
}

/// <summary>The VMM's frame source over the PMM, refusing the call its plan says (as a PMM with nothing left would).</summary>
public readonly struct RefusingTableFrames(PmmPageTableFrames pmm, FaultPlan plan) : IPageTableFrames
{
    /// <inheritdoc/>
    public bool TryAllocate(out PhysicalAddress frame)
    {
        frame = default;
        return plan.Allow() && pmm.TryAllocate(out frame);
    }

    /// <inheritdoc/>
    public void Free(PhysicalAddress frame) => pmm.Free(frame);
}

/// <summary>The heap's growth source over the PMM, refusing the segment's allocation when its plan says; the
/// page tables the mapping needs are counted by the same plan through <see cref="RefusingTableFrames"/>.</summary>
public readonly struct RefusingGrowth<TInner>(TInner inner, FaultPlan plan) : IHeapGrowth where TInner : struct, IHeapGrowth
{
    /// <inheritdoc/>
    public bool TryGrow(uint minBytes, out uint start, out uint length)
    {
        start = 0;
        length = 0;
        return plan.Allow() && inner.TryGrow(minBytes, out start, out length);
    }

    /// <inheritdoc/>
    public void Release(uint start, uint length) => inner.Release(start, length);
}
