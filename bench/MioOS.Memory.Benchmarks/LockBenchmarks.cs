using System.Threading;
using BenchmarkDotNet.Attributes;
using MioOS.Memory.Hosting.Locks;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Benchmarks;

/// <summary>
/// What taking and releasing a layer's lock costs when nobody else holds it: the built-in hook (the core's spin, no
/// platform lock installed), the hosted lock (the same word plus the per-thread order check), against the bare pair
/// of atomics every such lock is built on (<c>lock cmpxchg</c>, then <c>xchg</c>).
/// </summary>
public unsafe class LockBenchmarks
{
    private int _word;

    [GlobalSetup(Target = nameof(BuiltIn))]
    public void UseBuiltIn() => LayerLock.Install(null, null);

    [GlobalSetup(Target = nameof(Hosted))]
    public void UseHosted() => HostedLock.Install();

    [Benchmark(Baseline = true)]
    public int Atomics()
    {
        Interlocked.CompareExchange(ref _word, 1, 0);
        return Interlocked.Exchange(ref _word, 0);
    }

    [Benchmark]
    public uint BuiltIn()
    {
        uint token = LayerLock.Enter(ref _word, LockRank.Heap);
        LayerLock.Exit(ref _word, LockRank.Heap, token);
        return token;
    }

    [Benchmark]
    public uint Hosted()
    {
        uint token = LayerLock.Enter(ref _word, LockRank.Heap);
        LayerLock.Exit(ref _word, LockRank.Heap, token);
        return token;
    }
}
