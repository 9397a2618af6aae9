using System;
using System.Diagnostics;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;

namespace MioOS.Memory.Hosting.Traces;

/// <summary>What a replay measured.</summary>
public sealed record ReplayResult
{
    /// <summary>Events replayed.</summary>
    public long Events { get; init; }

    /// <summary>Requested bytes live at the worst moment (calloc: count times size; a realloc replaces the old size).</summary>
    public ulong PeakLiveBytes { get; init; }

    /// <summary>The high-water mark of heap memory in use: at each moment, each segment from its start to the end
    /// of its highest block that is not free.</summary>
    public ulong PeakHeapBytes { get; init; }

    /// <summary>Nanoseconds per event of the replay loop alone (parse and integrity walks excluded).</summary>
    public double NsPerEvent { get; init; }

    /// <summary>The same loop's CPU time per event on its thread (<see cref="ThreadCpuClock"/>; 0 where it
    /// cannot be read): what the replay cost without the time it waited for a core.</summary>
    public double CpuNsPerEvent { get; init; }

    /// <summary>"ok", or what the first failing integrity walk found.</summary>
    public string Integrity { get; init; } = "ok";

    /// <summary>Integrity walks run (every N events with a check interval, plus the final one).</summary>
    public long IntegrityChecks { get; init; }

    /// <summary>The heap's counters at the end.</summary>
    public HeapStats Final { get; init; }
}

/// <summary>A replay could not go on: the heap refused a call or ran out of memory.</summary>
public sealed class ReplayException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReplayException(string message) : base(message)
    {
    }
}

/// <summary>
/// Replays a parsed trace on a kernel heap, event by event through a <see cref="TraceStepper{TGrowth}"/>.
/// <see cref="BootMachine"/> is the one set-up that <c>mioos-mm replay</c>, <c>mioos-mm heapinfo --trace</c>,
/// <c>mioos-mm explore</c> and the benchmarks replay on, so their figures measure the same heap.
/// </summary>
public static class TraceReplayer
{
    /// <summary>
    /// The machine a replay runs on: <paramref name="config"/> (default: <see cref="MachineConfig.Default"/>, QEMU's
    /// 128 MiB PC) booted through every layer with paging on, the heap at the layout's place growing with PMM frames
    /// that the VMM maps, the heap's own accesses through the direct window (the MMU's checks stay out of the
    /// timing). A layer that refuses throws <see cref="BootFailedException"/>.
    /// </summary>
    public static KernelMachine BootMachine(MachineConfig? config = null, CpuModel? cpu = null) =>
        KernelMachine.Boot(config ?? MachineConfig.Default, cpu, checkedHeap: false);

    /// <summary>
    /// Replays <paramref name="events"/> on <paramref name="core"/>. With <paramref name="checkEvery"/> above 0,
    /// runs the integrity walk every that many events (outside the timing); always once at the end.
    /// <paramref name="progress"/> is called with the events done, about every 64 Ki events.
    /// </summary>
    public static ReplayResult Replay<TGrowth>(ReadOnlySpan<TraceEvent> events, KernelHeap<TGrowth> core,
        long checkEvery = 0, Action<long>? progress = null) where TGrowth : struct, IHeapGrowth
    {
        var stepper = new TraceStepper<TGrowth>(core, events);
        long checks = 0;
        string integrity = "ok";
        const int progressMask = (1 << 16) - 1;
        long sinceCheck = 0;
        var clock = new Stopwatch();
        long cpu = 0;
        long cpuFrom = ThreadCpuClock.Now();
        clock.Start();
        for (int i = 0; i < events.Length; i++)
        {
            stepper.Step(in events[i]);
            if ((i & progressMask) == progressMask && progress != null)
                progress(i + 1);
            if (checkEvery > 0 && ++sinceCheck == checkEvery)
            {
                sinceCheck = 0;
                clock.Stop();
                cpu += ThreadCpuClock.Now() - cpuFrom;
                HeapCheck check = core.CheckIntegrity();
                checks++;
                if (!check.IsOk && integrity == "ok")
                    integrity = $"{check.Status} at 0x{check.Address:X8} after event {i + 1}";
                cpuFrom = ThreadCpuClock.Now();
                clock.Start();
            }
        }
        clock.Stop();
        cpu += ThreadCpuClock.Now() - cpuFrom;
        progress?.Invoke(events.Length);
        HeapCheck final = core.CheckIntegrity();
        checks++;
        if (!final.IsOk && integrity == "ok")
            integrity = $"{final.Status} at 0x{final.Address:X8} at the end";
        HeapStats stats = core.Stats();
        return new ReplayResult
        {
            Events = events.Length,
            PeakLiveBytes = stepper.PeakLiveBytes,
            PeakHeapBytes = stats.PeakInUseExtent,
            NsPerEvent = events.Length == 0 ? 0 : clock.Elapsed.TotalNanoseconds / events.Length,
            CpuNsPerEvent = events.Length == 0 ? 0 : (double)cpu / events.Length,
            Integrity = integrity,
            IntegrityChecks = checks,
            Final = stats,
        };
    }
}
