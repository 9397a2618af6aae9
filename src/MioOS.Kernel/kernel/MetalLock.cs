using MioOS.Memory.Platform;

namespace MioOS.Kernel;

/// <summary>
/// The layers' lock on the metal, installed into <see cref="LayerLock"/> before bring-up (by <c>kmain</c> and by the
/// C library's <c>mm_init</c>): interrupts go off on this CPU before the word is taken and come back on release only if
/// they were on (EFLAGS.IF saved and restored, as Linux's <c>spin_lock_irqsave</c>), so an interrupt handler that
/// calls the memory manager can never spin on a lock its own CPU holds. The word itself is the core's
/// test-and-test-and-set spin: one <c>lock cmpxchg</c> when nobody holds it.
/// </summary>
/// <remarks>Nothing here waits for another CPU. A port to several CPUs must keep it so: a TLB shootdown the VMM
/// needs is sent and waited for after the lock is released, never with interrupts off (two CPUs each waiting for
/// the other's acknowledgement with interrupts off would deadlock).</remarks>
internal static unsafe class MetalLock
{
    /// <summary>EFLAGS.IF (SDM vol. 1, 3.4.3.3).</summary>
    public const uint InterruptFlag = 1u << 9;

    /// <summary>Makes this the lock every layer takes.</summary>
    public static void Install() => LayerLock.Install(&Enter, &Exit);

    private static uint Enter(ref int word, LockRank rank)
    {
        uint eflags = Native.SaveInterruptsAndDisable();
        LayerLock.Spin(ref word);
        return eflags;
    }

    private static void Exit(ref int word, LockRank rank, uint eflags)
    {
        LayerLock.Release(ref word);
        Native.RestoreInterrupts(eflags);
    }
}
