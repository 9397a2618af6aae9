using System.Threading;

namespace MioOS.Kernel.Smp;

/// <summary>
/// Work for every online CPU at once: the BSP publishes a job, wakes the APs (an IPI on the shootdown vector, which
/// also answers any pending request), runs the job itself as CPU 0 and waits, interrupts on, until each AP is done.
/// Between jobs an AP sleeps in <c>hlt</c> with interrupts on, so it still answers shootdowns.
/// </summary>
internal static unsafe class CpuJobs
{
    private struct Done
    {
        public fixed int Generation[Processors.MaxCpus];
    }

    private static delegate*<int, void> s_job;
    private static int s_generation;
    private static Done s_done;

    /// <summary>Runs <paramref name="job"/>(cpu index) on every online CPU and returns when all have finished.</summary>
    public static void RunOnAll(delegate*<int, void> job)
    {
        s_job = job;
        int generation = s_generation + 1;
        Volatile.Write(ref s_generation, generation);
        for (int cpu = 1; cpu < Processors.Count; cpu++)
        {
            if (Processors.IsOnline(cpu))
                LocalApic.SendFixed(Processors.ApicId(cpu), Shootdown.Vector);
        }
        job(0);
        for (int cpu = 1; cpu < Processors.Count; cpu++)
        {
            while (Processors.IsOnline(cpu) && Volatile.Read(ref s_done.Generation[cpu]) != generation)
                NativeSmp.Pause();
        }
    }

    /// <summary>An AP's life after start-up: sleep until a job is published, run it, report it done.</summary>
    public static void WorkLoop(int cpu)
    {
        int seen = 0;
        while (true)
        {
            // Interrupts off for the check, then sti;hlt: a wake-up IPI that lands between the two is not lost.
            uint eflags = Native.SaveInterruptsAndDisable();
            int generation = Volatile.Read(ref s_generation);
            if (generation == seen)
            {
                NativeSmp.Idle();
                continue;
            }
            Native.RestoreInterrupts(eflags);
            s_job(cpu);
            seen = generation;
            Volatile.Write(ref s_done.Generation[cpu], generation);
        }
    }
}
