using BenchmarkDotNet.Attributes;
using MioOS.Memory.Physical;

namespace MioOS.Memory.Benchmarks;

/// <summary>
/// The PMM's first fit at a growing number of free extents: one-frame holes (every other frame of a run given
/// back) below the free rest of memory (<see cref="PmmHoles"/>), then <c>alloc(2)</c> + <c>free</c>, which skips
/// every hole (none holds two frames) and merges back into the free rest, and <c>alloc(1)</c> + <c>free</c>, which
/// takes the lowest hole and gives it back. The goal: at 100,000 extents at most twice the cost at 10.
/// </summary>
public class PmmBenchmarks
{
    private PmmHoles? _holes;

    /// <summary>Free extents in low memory while the benchmark runs (the holes plus the free rest).</summary>
    [Params(10, 1_000, 100_000)]
    public int FreeExtents;

    [GlobalSetup]
    public void Setup() => _holes = PmmHoles.Make(FreeExtents);

    [GlobalCleanup]
    public void Cleanup() => _holes?.Dispose();

    /// <summary>alloc_frame(2) past every hole, then free_frame of it (it merges with the free rest again).</summary>
    [Benchmark]
    public PmmStatus AllocTwoAndFree() => _holes!.AllocTwoAndFree();

    /// <summary>alloc_frame(1) into the lowest hole, then free_frame of it.</summary>
    [Benchmark]
    public PmmStatus AllocOneAndFree() => _holes!.AllocOneAndFree();
}
