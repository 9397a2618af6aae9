using System;
using BenchmarkDotNet.Attributes;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Benchmarks;

/// <summary>
/// The PMM's first fit at a growing number of free extents: one-frame holes (every other frame of a run given
/// back) below the free rest of memory, then <c>alloc(2)</c> + <c>free</c>, which skips every hole (none holds two
/// frames) and merges back into the free rest. The goal: at 100,000 extents at most twice the cost at 10.
/// </summary>
public class PmmBenchmarks
{
    private SimulatedPc? _pc;
    private PhysicalMemoryManager _pmm;

    /// <summary>Free extents in low memory while the benchmark runs (the holes plus the free rest).</summary>
    [Params(10, 1_000, 100_000)]
    public int FreeExtents;

    [GlobalSetup]
    public void Setup()
    {
        // 1 GiB: room for 100,000 holes (200,000 frames) and more above them.
        _pc = SimulatedPc.Boot(MachineConfig.ForMemorySize(1UL << 30));
        // The metadata through the direct window (as on the metal), not the simulated MMU's checked one.
        _pmm = PhysicalMemoryManager.Attach(_pc.Window, _pc.Pmm.StateAddress);
        // Take a run of single frames, then give every other one back until the count is reached (taking frames
        // may first use up a small extent the boot left, so the count is watched rather than computed).
        var taken = new PhysicalAddress[2 * FreeExtents + 64];
        for (int i = 0; i < taken.Length; i++)
            if (_pmm.AllocFrame(1, out taken[i]) != PmmStatus.Ok)
                throw new InvalidOperationException("set-up: the PMM ran out");
        for (int i = 0; i < taken.Length && _pmm.Stats.FreeExtents < (uint)FreeExtents; i += 2)
            _pmm.FreeFrame(taken[i]);
        if (_pmm.Stats.FreeExtents != (uint)FreeExtents)
            throw new InvalidOperationException($"set-up: {_pmm.Stats.FreeExtents} free extents, wanted {FreeExtents}");
    }

    [GlobalCleanup]
    public void Cleanup() => _pc?.Dispose();

    /// <summary>alloc_frame(2) past every hole, then free_frame of it (it merges with the free rest again).</summary>
    [Benchmark]
    public PmmStatus AllocTwoAndFree()
    {
        _pmm.AllocFrame(2, out PhysicalAddress at);
        return _pmm.FreeFrame(at);
    }

    /// <summary>alloc_frame(1) into the lowest hole, then free_frame of it.</summary>
    [Benchmark]
    public PmmStatus AllocOneAndFree()
    {
        _pmm.AllocFrame(1, out PhysicalAddress at);
        return _pmm.FreeFrame(at);
    }
}
