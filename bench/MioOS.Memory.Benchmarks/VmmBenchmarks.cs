using System;
using BenchmarkDotNet.Attributes;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Benchmarks;

/// <summary>
/// The VMM on the simulated PC with paging on: identity-mapping 1 GiB with 4 KiB pages (262,144 entries in 256
/// page tables from the PMM) and unmapping it again; and the simulated MMU's translation with a warm TLB.
/// </summary>
public class VmmBenchmarks
{
    private const ulong OneGiB = 1UL << 30;

    /// <summary>The range mapped: 1 GiB starting at 1 GiB, in the kernel's identity-mapped half, above the RAM the
    /// machine's own layout uses.</summary>
    private static readonly PhysicalAddress Start = new(OneGiB), End = new(2 * OneGiB);

    private SimulatedPc? _pc;
    private PagingMachine? _paging;
    private uint[] _addresses = [];

    [GlobalSetup]
    public void Setup()
    {
        _pc = SimulatedPc.Boot(MachineConfig.Default);
        _paging = PagingMachine.Start(_pc);
        if (_paging.Status != VmmStatus.Ok)
            throw new InvalidOperationException($"set-up: paging {_paging.Status}");
        // Translations: 64 pages of the identity-mapped kernel heap, all in the TLB after the first pass.
        var heapStart = (uint)_pc.Layout.HeapStart;
        _addresses = new uint[64];
        for (int i = 0; i < _addresses.Length; i++)
            _addresses[i] = heapStart + (uint)i * Frames.Size + 0x123;
        foreach (uint a in _addresses)
            _paging.Cpu.Translate(a, AccessKind.Read);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _paging?.Dispose();
        _pc?.Dispose();
    }

    /// <summary>IdentityMapRegion of 1 GiB with 4 KiB pages, then UnmapRegion of it (page tables back to the PMM).</summary>
    [Benchmark]
    public VmmStatus IdentityMapOneGiBAndUnmap()
    {
        var vmm = _paging!.Vmm;
        VmmStatus mapped = vmm.IdentityMapRegion(Start, End, PageFlags.Writable, IdentityMapPolicy.Small);
        if (mapped != VmmStatus.Ok)
            throw new InvalidOperationException($"map: {mapped}");
        return vmm.UnmapRegion(Start, End);
    }

    /// <summary>64 translations that hit the TLB (reported per translation).</summary>
    [Benchmark(OperationsPerInvoke = 64)]
    public ulong TranslateWarmTlb()
    {
        SimulatedCpu cpu = _paging!.Cpu;
        ulong sum = 0;
        foreach (uint a in _addresses)
            sum += cpu.Translate(a, AccessKind.Read).Physical.Value;
        return sum;
    }
}
