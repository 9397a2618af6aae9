using System;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Benchmarks;

/// <summary>
/// The PMM benchmarks' machine: a 1 GiB simulated PC whose low memory holds one-frame holes (every other frame of
/// a run given back) below the free rest, until the PMM has the number of free extents asked for. The PMM is
/// reached through the direct window (as on the metal), not the simulated MMU's checked one.
/// </summary>
public sealed class PmmHoles : IDisposable
{
    private readonly SimulatedPc _pc;

    /// <summary>The PMM, attached through the direct window.</summary>
    public readonly PhysicalMemoryManager Pmm;

    private PmmHoles(SimulatedPc pc, PhysicalMemoryManager pmm)
    {
        _pc = pc;
        Pmm = pmm;
    }

    /// <summary>Boots the machine and makes holes until there are <paramref name="freeExtents"/> free extents.</summary>
    public static PmmHoles Make(int freeExtents)
    {
        // 1 GiB: room for 100,000 holes (200,000 frames) and more above them.
        SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemorySize(1UL << 30));
        PhysicalMemoryManager pmm = PhysicalMemoryManager.Attach(pc.Window, pc.Pmm.StateAddress);
        // Take a run of single frames, then give every other one back until the count is reached (taking frames
        // may first use up a small extent the boot left, so the count is watched rather than computed).
        var taken = new PhysicalAddress[2 * freeExtents + 64];
        for (int i = 0; i < taken.Length; i++)
            if (pmm.AllocFrame(1, out taken[i]) != PmmStatus.Ok)
                throw new InvalidOperationException("set-up: the PMM ran out");
        for (int i = 0; i < taken.Length && pmm.Stats.FreeExtents < (uint)freeExtents; i += 2)
            pmm.FreeFrame(taken[i]);
        if (pmm.Stats.FreeExtents != (uint)freeExtents)
            throw new InvalidOperationException($"set-up: {pmm.Stats.FreeExtents} free extents, wanted {freeExtents}");
        return new PmmHoles(pc, pmm);
    }

    /// <summary>alloc_frame(2) past every hole, then free_frame of it (it merges with the free rest again).</summary>
    public PmmStatus AllocTwoAndFree()
    {
        Pmm.AllocFrame(2, out PhysicalAddress at);
        return Pmm.FreeFrame(at);
    }

    /// <summary>alloc_frame(1) into the lowest hole, then free_frame of it.</summary>
    public PmmStatus AllocOneAndFree()
    {
        Pmm.AllocFrame(1, out PhysicalAddress at);
        return Pmm.FreeFrame(at);
    }

    /// <inheritdoc/>
    public void Dispose() => _pc.Dispose();
}
