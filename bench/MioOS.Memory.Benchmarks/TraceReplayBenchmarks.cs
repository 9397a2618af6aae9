using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Traces;

namespace MioOS.Memory.Benchmarks;

/// <summary>
/// Replays each real trace on a fresh kernel heap (the trace parsed once, the machine booted outside the timing).
/// The machine is <c>mioos-mm replay</c>'s default one, booted by the same <see cref="TraceReplayer.BootMachine"/>,
/// so both measure the same heap. OperationsPerInvoke is the trace's event count, so the reported time is per event.
/// Each trace is also replayed through the C library's malloc/free in this process (<see cref="LibcReplayer"/>, as
/// <c>mioos-mm replay --compare glibc</c> does), the baseline of its category, so the Ratio column is ours / glibc.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
public class TraceReplayBenchmarks
{
    private TraceEvent[] _cmake = [], _gcc = [], _perl = [], _git = [], _python = [], _sqlite = [];
    private KernelMachine? _machine;

    private static TraceEvent[] Load(string name) =>
        TraceParser.ParseFile(Path.Combine(AppContext.BaseDirectory, "data", "traces", name));

    [GlobalSetup]
    public void Setup()
    {
        _cmake = Load("cmake-configure.trace.gz");
        _gcc = Load("gcc-cc1-O2.trace.gz");
        _perl = Load("perl-wordfreq.trace.gz");
        _git = Load("git-log-p.trace.gz");
        _python = Load("python3-json.trace.gz");
        _sqlite = Load("sqlite3.trace.gz");
    }

    [IterationSetup]
    public void FreshMachine() => _machine = TraceReplayer.BootMachine();

    [IterationCleanup]
    public void DropMachine() => _machine?.Dispose();

    [Benchmark(OperationsPerInvoke = 444_585), BenchmarkCategory("cmake")]
    public ulong Cmake() => TraceReplayer.Replay(_cmake, _machine!.Heap).PeakHeapBytes;

    [Benchmark(OperationsPerInvoke = 444_585, Baseline = true), BenchmarkCategory("cmake")]
    public double CmakeGlibc() => LibcReplayer.Replay(_cmake).NsPerEvent;

    [Benchmark(OperationsPerInvoke = 1_450_697), BenchmarkCategory("gcc")]
    public ulong Gcc() => TraceReplayer.Replay(_gcc, _machine!.Heap).PeakHeapBytes;

    [Benchmark(OperationsPerInvoke = 1_450_697, Baseline = true), BenchmarkCategory("gcc")]
    public double GccGlibc() => LibcReplayer.Replay(_gcc).NsPerEvent;

    [Benchmark(OperationsPerInvoke = 1_860_348), BenchmarkCategory("perl")]
    public ulong Perl() => TraceReplayer.Replay(_perl, _machine!.Heap).PeakHeapBytes;

    [Benchmark(OperationsPerInvoke = 1_860_348, Baseline = true), BenchmarkCategory("perl")]
    public double PerlGlibc() => LibcReplayer.Replay(_perl).NsPerEvent;

    [Benchmark(OperationsPerInvoke = 140_798), BenchmarkCategory("git")]
    public ulong Git() => TraceReplayer.Replay(_git, _machine!.Heap).PeakHeapBytes;

    [Benchmark(OperationsPerInvoke = 140_798, Baseline = true), BenchmarkCategory("git")]
    public double GitGlibc() => LibcReplayer.Replay(_git).NsPerEvent;

    [Benchmark(OperationsPerInvoke = 1_917_246), BenchmarkCategory("python")]
    public ulong Python() => TraceReplayer.Replay(_python, _machine!.Heap).PeakHeapBytes;

    [Benchmark(OperationsPerInvoke = 1_917_246, Baseline = true), BenchmarkCategory("python")]
    public double PythonGlibc() => LibcReplayer.Replay(_python).NsPerEvent;

    [Benchmark(OperationsPerInvoke = 1_325_784), BenchmarkCategory("sqlite")]
    public ulong Sqlite() => TraceReplayer.Replay(_sqlite, _machine!.Heap).PeakHeapBytes;

    [Benchmark(OperationsPerInvoke = 1_325_784, Baseline = true), BenchmarkCategory("sqlite")]
    public double SqliteGlibc() => LibcReplayer.Replay(_sqlite).NsPerEvent;
}

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "pmm-loop")
            return PmmLoop.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
