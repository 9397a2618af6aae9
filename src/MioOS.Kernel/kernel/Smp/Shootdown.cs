using System.Threading;
using MioOS.Memory.Virtual;

namespace MioOS.Kernel.Smp;

/// <summary>
/// TLB shootdown: a translation the VMM changed or removed is invalidated on every online CPU before the call that
/// changed it returns. The VMM invalidates on its own CPU (<c>invlpg</c>) with its lock held; the metal CPU seam
/// queues the page here (<see cref="Queue"/>), and when the CPU lets go of its last layer lock, interrupts back as
/// they were, the queue is sent (<see cref="Flush"/>): each other online CPU gets a request and an IPI, and the
/// sender waits for every acknowledgement. So nothing waits for another CPU while holding a lock or with interrupts
/// off (callers run with them on); and a CPU that spins on a layer lock with interrupts off answers requests from
/// its spin loop (<see cref="AnswerPending"/>), so a sender never waits for a CPU that waits for the sender's lock.
/// </summary>
/// <remarks>One request is in flight at a time (the send lock); the others' senders wait for it, answering requests
/// meanwhile. A request carries up to <see cref="PagesPerRequest"/> pages, or means "everything" (the queue
/// overflowed): a full flush, global pages included. The VMM's two scratch pages are left out: each use
/// invalidates them first on the CPU that uses them, with the VMM's lock held.</remarks>
internal static unsafe class Shootdown
{
    /// <summary>The IPI vector (boot/entry.asm's <c>IPI_SHOOTDOWN_VECTOR</c>).</summary>
    public const uint Vector = 0xF0;

    /// <summary>Pages a request names before it becomes a full flush.</summary>
    public const int PagesPerRequest = 16;

    private struct PerCpu
    {
        public fixed uint Pages[Processors.MaxCpus * PagesPerRequest];
        public fixed int Queued[Processors.MaxCpus];
        public fixed int LockDepth[Processors.MaxCpus];
        public fixed int Requested[Processors.MaxCpus];   // the request generation each CPU is asked to answer
        public fixed int Answered[Processors.MaxCpus];    // the last generation it answered
        public fixed uint Received[Processors.MaxCpus];   // requests answered (a figure for the log)
        public fixed uint WhileSpinning[Processors.MaxCpus]; // of those, answered while spinning for a layer lock
        public fixed uint SpinLooks[Processors.MaxCpus];  // turns of a layer lock's spin loop
        public fixed uint Request[PagesPerRequest];
    }

    private static PerCpu s_cpu;
    private static int s_sendLock;
    private static int s_generation;
    private static int s_requestCount;   // pages in Request, or -1: flush everything
    private static bool s_enabled;
    private static uint s_sent;

    /// <summary>Requests sent (each to every other online CPU).</summary>
    public static uint Sent => s_sent;

    /// <summary>Requests CPU <paramref name="index"/> answered.</summary>
    public static uint Answered(int index) => s_cpu.Received[index];

    /// <summary>Requests CPU <paramref name="index"/> answered while it spun for a layer lock with interrupts off.</summary>
    public static uint AnsweredWhileSpinning(int index) => s_cpu.WhileSpinning[index];

    /// <summary>Turns CPU <paramref name="index"/> made in layer locks' spin loops (each one looks for a request).</summary>
    public static uint SpinLooks(int index) => Volatile.Read(ref s_cpu.SpinLooks[index]);

    /// <summary>Hooks the metal lock and CPU seam (kernel only: the C library runs on the caller's CPUs).</summary>
    public static void Enable()
    {
        MetalLock.InstallMultiprocessor(&AnswerWhileSpinning, &Entered, &Released);
        MetalCpu.InstallRemoteInvalidation(&Queue);
        s_enabled = true;
    }

    /// <summary>The harness's check that the shootdown test can fail (<c>mioos.test=no-shootdown</c>): pages are
    /// invalidated only on the CPU that changed them, as on one CPU.</summary>
    public static void DropRequestsForHarness() => s_enabled = false;

    /// <summary>A page the VMM invalidated on this CPU, to be invalidated on the others.</summary>
    private static void Queue(uint linear)
    {
        if (!s_enabled || Processors.OnlineCount < 2 || (linear >> Memory.Platform.Frames.LargeShift) == PagingLayout.ScratchSlot)
            return;
        int me = Processors.Current;
        int n = s_cpu.Queued[me];
        if (n >= 0 && n < PagesPerRequest)
            s_cpu.Pages[me * PagesPerRequest + n] = linear;
        s_cpu.Queued[me] = n >= 0 && n < PagesPerRequest ? n + 1 : -1;
        if (s_cpu.LockDepth[me] == 0)
            Flush(me);
    }

    private static void Entered() => s_cpu.LockDepth[Processors.Current]++;

    private static void Released()
    {
        int me = Processors.Current;
        if (--s_cpu.LockDepth[me] == 0 && s_cpu.Queued[me] != 0)
            Flush(me);
    }

    /// <summary>Sends this CPU's queued pages to every other online CPU and waits until each has invalidated them.</summary>
    private static void Flush(int me)
    {
        while (Interlocked.CompareExchange(ref s_sendLock, 1, 0) != 0)
            AnswerPending();
        int count = s_cpu.Queued[me];
        for (int i = 0; i < count; i++)
            s_cpu.Request[i] = s_cpu.Pages[me * PagesPerRequest + i];
        s_cpu.Queued[me] = 0;
        Volatile.Write(ref s_requestCount, count);
        int generation = s_generation + 1;
        s_generation = generation;
        for (int cpu = 0; cpu < Processors.Count; cpu++)
        {
            if (cpu == me || !Processors.IsOnline(cpu))
                continue;
            Volatile.Write(ref s_cpu.Requested[cpu], generation);
            LocalApic.SendFixed(Processors.ApicId(cpu), Vector);
        }
        for (int cpu = 0; cpu < Processors.Count; cpu++)
        {
            if (cpu == me || !Processors.IsOnline(cpu))
                continue;
            while (Volatile.Read(ref s_cpu.Answered[cpu]) != generation)
            {
                AnswerPending();
                NativeSmp.Pause();
            }
        }
        s_sent++;
        Interlocked.Exchange(ref s_sendLock, 0);
    }

    /// <summary>The layer lock's spin loop: interrupts are off there, so a request is answered by looking.</summary>
    private static void AnswerWhileSpinning()
    {
        int me = Processors.Current;
        s_cpu.SpinLooks[me]++;
        if (AnswerPending())
            s_cpu.WhileSpinning[me]++;
    }

    /// <summary>Answers a request addressed to this CPU, if one is pending (true then): from the IPI, and from every
    /// spin loop that waits with interrupts off.</summary>
    public static bool AnswerPending()
    {
        if (!LocalApic.IsMapped)
            return false;
        int me = Processors.Current;
        int requested = Volatile.Read(ref s_cpu.Requested[me]);
        if (requested == Volatile.Read(ref s_cpu.Answered[me]))
            return false;
        int count = Volatile.Read(ref s_requestCount);
        if (count < 0)
            NativeSmp.FlushTlb();
        for (int i = 0; i < count; i++)
            Native.InvalidatePage(s_cpu.Request[i]);
        s_cpu.Received[me]++;
        Volatile.Write(ref s_cpu.Answered[me], requested);
        return true;
    }

    /// <summary>The IPI's handler (from the trap path, interrupts off).</summary>
    public static void OnInterrupt()
    {
        AnswerPending();
        LocalApic.EndOfInterruptSignal();
    }
}
