using System.Threading;
using MioOS.Memory;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Kernel.Smp;

/// <summary>
/// A CPU spinning for a lock with interrupts off still answers a shootdown: CPU 1 takes a lock (interrupts off) and
/// keeps it, CPU 2 spins for it (interrupts off, so no IPI can reach it), and the BSP unmaps a page, which waits for
/// both. CPU 2 can only answer from its spin loop; CPU 1 lets go once it has, and answers the IPI then. Without the
/// spin loop's answer the BSP and CPU 2 would wait for each other for good (the test would hang, then time out).
/// Needs three CPUs.
/// </summary>
internal static unsafe class SpinAnswerTest
{
    /// <summary>CPU 1 holds the lock, CPU 2 spins for it.</summary>
    public const int Holder = 1, Spinner = 2;

    /// <summary>How long CPU 1 waits for CPU 2's answer before it gives up (loop turns with a pause each).</summary>
    private const int PatienceTurns = 50_000_000;

    private static int s_word;
    private static int s_held;
    private static int s_gaveUp;
    private static uint s_answeredBefore;
    private static uint s_page;
    private static ulong s_frame;

    public static bool GaveUp => s_gaveUp != 0;

    /// <summary>Answers CPU 2 gave from its spin loop during the test.</summary>
    public static uint SpinAnswers => Shootdown.AnsweredWhileSpinning(Spinner) - s_answeredBefore;

    /// <summary>Maps a kernel page to unmap (the address of a frame the test owns and leaves unmapped).</summary>
    public static bool Prepare()
    {
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        if (mm.Pmm.AllocFrame(1, out PhysicalAddress frame) != PmmStatus.Ok)
            return false;
        if (mm.Pmm.AllocFrame(1, out PhysicalAddress page) != PmmStatus.Ok || page.Value >= PagingLayout.KernelSpaceEnd)
            return false;
        s_frame = frame.Value;
        s_page = (uint)page.Value;
        s_word = 0;
        s_held = 0;
        s_gaveUp = 0;
        s_answeredBefore = Shootdown.AnsweredWhileSpinning(Spinner);
        return mm.Vmm.AllocPage(new VirtualAddress(s_page), frame, PageFlags.Writable) == VmmStatus.Ok;
    }

    /// <summary>A <see cref="CpuJobs"/> job.</summary>
    public static void Run(int cpu)
    {
        if (cpu == Holder)
            Hold();
        else if (cpu == Spinner)
            Spin();
        else if (cpu == 0)
            Unmap();
    }

    private static void Hold()
    {
        uint token = LayerLock.Enter(ref s_word, LockRank.Heap);
        Volatile.Write(ref s_held, 1);
        int turns = 0;
        while (Shootdown.AnsweredWhileSpinning(Spinner) == s_answeredBefore && ++turns < PatienceTurns)
            NativeSmp.Pause();
        if (turns == PatienceTurns)
            s_gaveUp = 1;
        LayerLock.Exit(ref s_word, LockRank.Heap, token);
    }

    private static void Spin()
    {
        while (Volatile.Read(ref s_held) == 0)
            NativeSmp.Pause();
        uint token = LayerLock.Enter(ref s_word, LockRank.Heap);
        LayerLock.Exit(ref s_word, LockRank.Heap, token);
    }

    private static void Unmap()
    {
        // Send only once CPU 2 is in the spin loop (interrupts off there): its turns counter moves.
        while (Volatile.Read(ref s_held) == 0)
            NativeSmp.Pause();
        uint looks = Shootdown.SpinLooks(Spinner);
        while (Shootdown.SpinLooks(Spinner) == looks)
            NativeSmp.Pause();
        Kmain.Memory.Vmm.FreePage(new VirtualAddress(s_page));
    }

    /// <summary>Gives the page's frames back (the page itself was unmapped by the test).</summary>
    public static bool Finish()
    {
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        return !mm.Vmm.IsMapped(new VirtualAddress(s_page))
            && mm.Pmm.FreeFrame(new PhysicalAddress(s_page)) == PmmStatus.Ok
            && mm.Pmm.FreeFrame(new PhysicalAddress(s_frame)) == PmmStatus.Ok;
    }
}
