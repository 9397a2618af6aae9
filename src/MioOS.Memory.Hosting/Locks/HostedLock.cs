using System;
using System.Threading;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Hosting.Locks;

/// <summary>A layer took its lock out of order (or a second time) on one thread: the deadlock the order prevents.</summary>
public sealed class LockOrderException(LockRank taking, LockRank held)
    : InvalidOperationException($"lock order: the {Name(taking)} lock was taken while this thread held the {Name(held)} lock " +
        "(the order is heap, then VMM, then PMM, each at most once)")
{
    /// <summary>The lock being taken.</summary>
    public LockRank Taking { get; } = taking;

    /// <summary>The highest lock the thread already held.</summary>
    public LockRank Held { get; } = held;

    private static string Name(LockRank rank) => rank switch
    {
        LockRank.Heap => "heap",
        LockRank.Vmm => "VMM",
        _ => "PMM",
    };
}

/// <summary>
/// The layers' lock when hosted, installed into <see cref="LayerLock"/> by <see cref="SimulatedRam"/> before any
/// layer comes up: the core's word protocol (one <c>lock cmpxchg</c> when free), and when the word is held, a spin
/// that yields the thread (<see cref="SpinWait"/>), so threads contending on two cores still make progress when the
/// holder has been preempted. Every thread remembers which layers' locks it holds and refuses one taken out of order
/// or twice (<see cref="LockOrderException"/>): the order is checked by every hosted test.
/// </summary>
public static unsafe class HostedLock
{
    [ThreadStatic]
    private static uint t_held;

    [ThreadStatic]
    private static long t_waits;

    private static int s_installed;

    /// <summary>Installs the hosted lock (once per process; later calls do nothing).</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref s_installed, 1) == 0)
            LayerLock.Install(&Enter, &Exit);
    }

    /// <summary>How many times this thread found a lock held and had to wait for it.</summary>
    public static long WaitsOnThisThread => t_waits;

    /// <summary>
    /// Forgets the locks this thread holds: called when a fault inside the memory manager ends every call in
    /// progress on this thread (a kernel would stop the machine; its locks stay held, as they would on the metal).
    /// </summary>
    public static void AbandonHeldLocks() => t_held = 0;

    private static uint Enter(ref int word, LockRank rank)
    {
        uint bit = 1u << (int)rank;
        if (t_held >= bit)
            throw new LockOrderException(rank, (LockRank)(31 - uint.LeadingZeroCount(t_held)));
        if (!LayerLock.TryAcquire(ref word))
        {
            t_waits++;
            SpinWait spin = default;
            do
                spin.SpinOnce();
            while (Volatile.Read(ref word) != 0 || !LayerLock.TryAcquire(ref word));
        }
        t_held |= bit;
        return 0;
    }

    private static void Exit(ref int word, LockRank rank, uint token)
    {
        t_held &= ~(1u << (int)rank);
        LayerLock.Release(ref word);
    }
}
