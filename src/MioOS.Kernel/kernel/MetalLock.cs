using MioOS.Memory.Platform;

namespace MioOS.Kernel;

/// <summary>
/// The layers' lock on the metal, installed into <see cref="LayerLock"/> before bring-up (by <c>kmain</c> and by the
/// C library's <c>mm_init</c>): interrupts go off on this CPU before the word is taken and come back on release only if
/// they were on (EFLAGS.IF saved and restored, as Linux's <c>spin_lock_irqsave</c>), so an interrupt handler that
/// calls the memory manager can never spin on a lock its own CPU holds. The word itself is the core's
/// test-and-test-and-set spin: one <c>lock cmpxchg</c> when nobody holds it.
/// </summary>
/// <remarks>Nothing here waits for another CPU with a lock held. With several CPUs (the kernel's
/// <c>Smp.Shootdown</c>, installed through <see cref="InstallMultiprocessor"/>) a TLB shootdown the VMM needs is sent
/// and waited for after this CPU's last lock is released, interrupts back as they were; and a CPU spinning here with
/// interrupts off answers shootdown requests from its spin loop, since two CPUs each waiting for the other with
/// interrupts off would deadlock. The C library installs none of it: it runs on whatever CPUs its caller has.</remarks>
internal static unsafe class MetalLock
{
    /// <summary>EFLAGS.IF (SDM vol. 1, 3.4.3.3).</summary>
    public const uint InterruptFlag = 1u << 9;

    private static delegate*<void> s_whileSpinning;
    private static delegate*<void> s_entered;
    private static delegate*<void> s_released;

    /// <summary>Makes this the lock every layer takes.</summary>
    public static void Install() => LayerLock.Install(&Enter, &Exit);

    /// <summary>
    /// For several CPUs: <paramref name="whileSpinning"/> runs on every turn of a spin for a held lock (interrupts
    /// off: it answers what an IPI would have asked), <paramref name="entered"/> once a lock is taken, and
    /// <paramref name="released"/> once one is given back with interrupts as they were before it was taken.
    /// </summary>
    /// <remarks>Contract: installed while no lock is held.</remarks>
    public static void InstallMultiprocessor(delegate*<void> whileSpinning, delegate*<void> entered, delegate*<void> released)
    {
        s_whileSpinning = whileSpinning;
        s_entered = entered;
        s_released = released;
    }

    private static uint Enter(ref int word, LockRank rank)
    {
        uint eflags = Native.SaveInterruptsAndDisable();
        delegate*<void> whileSpinning = s_whileSpinning;
        if (whileSpinning == null)
        {
            LayerLock.Spin(ref word);
            return eflags;
        }
        while (!LayerLock.TryAcquire(ref word))
        {
            while (System.Threading.Volatile.Read(ref word) != 0)
                whileSpinning();
        }
        s_entered();
        return eflags;
    }

    private static void Exit(ref int word, LockRank rank, uint eflags)
    {
        LayerLock.Release(ref word);
        Native.RestoreInterrupts(eflags);
        delegate*<void> released = s_released;
        if (released != null)
            released();
    }
}
