using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Locks;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Hosting.Stress;

/// <summary>What one <see cref="ContentionStress.Run"/> did and found.</summary>
/// <param name="Threads">Threads, each on a CPU of its own.</param>
/// <param name="Calls">Calls on the memory manager, all threads.</param>
/// <param name="HeapCalls">Of which <c>kmalloc</c>, <c>krealloc</c>, <c>kfree</c>.</param>
/// <param name="PmmCalls">Of which <c>alloc_frame</c>, <c>free_frame</c>.</param>
/// <param name="VmmCalls">Of which <c>alloc_page</c>, <c>free_page</c> and queries.</param>
/// <param name="Elapsed">Wall time of the calls (boot and audit left out).</param>
/// <param name="LockWaits">Times a thread found a layer's lock held and waited.</param>
/// <param name="Shootdowns">TLB invalidations carried out on other CPUs.</param>
/// <param name="HeapGrows">Heap growths during the run.</param>
/// <param name="HeapReleases">Segments the heap gave back during the run.</param>
/// <param name="Failure">The first wrong answer, exception or audit finding; null when there was none.</param>
public sealed record StressReport(int Threads, long Calls, long HeapCalls, long PmmCalls, long VmmCalls, TimeSpan Elapsed,
    long LockWaits, long Shootdowns, uint HeapGrows, uint HeapReleases, string? Failure)
{
    /// <summary>Calls per second, all threads.</summary>
    public double CallsPerSecond => Calls / Elapsed.TotalSeconds;

    /// <summary>True when every answer was right and the audit found nothing.</summary>
    public bool Ok => Failure is null;
}

/// <summary>
/// Several threads, each on its own simulated CPU, making mixed calls on one machine's heap, PMM and VMM at the same
/// time: heap blocks of 1 byte to 256 KiB (the heap grows and gives segments back), frame runs with and without an
/// identity mapping (shared kernel mappings, page tables shared with every other thread), and pages mapped in a
/// 4 MiB slot of the kernel part that is the thread's own. Every answer is checked as it comes (contents included);
/// after the threads give everything back, the audit (<see cref="SubsystemAudit"/>) must find the heap empty, no
/// caller frames left, and every frame the heap and the VMM hold accounted for.
/// </summary>
public static class ContentionStress
{
    /// <summary>Where thread i maps its pages: the 4 MiB slot at <c>PrivateBase + i * 4 MiB</c>.</summary>
    public const uint PrivateBase = 0x40000000;

    /// <summary>Runs <paramref name="threads"/> threads of <paramref name="callsPerThread"/> calls each on a fresh
    /// machine of <paramref name="config"/> (QEMU's 128 MiB PC by default).</summary>
    /// <param name="threads">Threads (1 to 64).</param>
    /// <param name="callsPerThread">Calls each thread makes before it gives everything back.</param>
    /// <param name="seed">Seeds the threads' choices (thread i: its own stream).</param>
    /// <param name="checkedHeap">True: every access of the heap and the PMM through the thread's MMU, as tests want;
    /// false: through the direct window, as a measurement of the memory manager rather than the simulator wants.</param>
    /// <param name="config">The machine.</param>
    public static StressReport Run(int threads, long callsPerThread, int seed, bool checkedHeap = true, MachineConfig? config = null)
    {
        if (threads < 1 || threads > 64)
            throw new ArgumentOutOfRangeException(nameof(threads), "1 to 64 threads");
        using SmpMachine smp = SmpMachine.Boot(config ?? MachineConfig.Default, threads, checkedHeap);
        KernelMachine machine = smp.Machine;
        HeapStats heapBefore = machine.Heap.Stats();
        var workers = new StressWorker[threads];
        for (int i = 0; i < threads; i++)
            workers[i] = new StressWorker(smp.Cpus[i], machine.Pc.Window, i, seed, PrivateBase + ((uint)i << Frames.LargeShift));

        string? failure = null;
        long waits = 0;
        using var start = new Barrier(threads + 1);
        var pool = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            StressWorker worker = workers[i];
            pool[i] = new Thread(() =>
            {
                long before = HostedLock.WaitsOnThisThread;
                start.SignalAndWait();
                try
                {
                    worker.Run(callsPerThread, () => Volatile.Read(ref failure) != null);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e is StressFailure ? e.Message : e.ToString(), null);
                }
                Interlocked.Add(ref waits, HostedLock.WaitsOnThisThread - before);
            }) { IsBackground = true, Name = $"stress {i}" };
            pool[i].Start();
        }
        start.SignalAndWait();
        var clock = Stopwatch.StartNew();
        foreach (Thread t in pool)
            t.Join();
        clock.Stop();

        long heapCalls = 0, pmmCalls = 0, vmmCalls = 0, shootdowns = 0;
        foreach (StressWorker w in workers)
        {
            heapCalls += w.HeapCalls;
            pmmCalls += w.PmmCalls;
            vmmCalls += w.VmmCalls;
        }
        foreach (SmpCpu cpu in smp.Cpus)
            shootdowns += cpu.Cpu.RemoteInvalidationCount;
        HeapStats heapAfter = machine.Heap.Stats();
        failure ??= Audit(machine, threads);
        return new StressReport(threads, heapCalls + pmmCalls + vmmCalls, heapCalls, pmmCalls, vmmCalls, clock.Elapsed, waits, shootdowns,
            heapAfter.Grows - heapBefore.Grows, heapAfter.Releases - heapBefore.Releases, failure);
    }

    /// <summary>After every thread gave everything back: the walks hold, the heap is empty, no caller holds a frame,
    /// every thread's slot is empty again, and every frame the heap and the VMM hold is accounted for.</summary>
    private static string? Audit(KernelMachine machine, int threads)
    {
        var problems = new List<string>();
        SubsystemAudit.Result audit = SubsystemAudit.Check(machine);
        problems.AddRange(audit.Problems);
        HeapStats heap = machine.Heap.Stats();
        if (heap.UsedBytes != 0 || heap.Blocks != 0)
            problems.Add($"the heap still has {heap.Blocks} blocks in use ({heap.UsedBytes} bytes) after every thread freed its own");
        if (audit.CallerRuns != 0)
            problems.Add($"{audit.CallerRuns} runs ({audit.CallerFrames} frames) are still allocated after every thread freed its own");
        for (int i = 0; i < threads; i++)
        {
            uint slot = (PrivateBase >> Frames.LargeShift) + (uint)i;
            if (machine.Paging.Vmm.ReadDirectoryEntry(slot).IsPresent)
                problems.Add($"thread {i}'s slot 0x{slot << Frames.LargeShift:X8} still has a page table after it unmapped every page");
        }
        return problems.Count == 0 ? null : "audit: " + string.Join("; ", problems);
    }
}
