namespace MioOS.Kernel.Smp;

/// <summary>
/// What each CPU's part of a test found, written by that CPU and read by the BSP after the job, which writes the
/// test lines (only the BSP writes to COM1 while the others run): passed or the step that failed, and a figure.
/// </summary>
internal static unsafe class CpuResults
{
    /// <summary>Tests each CPU runs in one job, at most.</summary>
    public const int PerCpu = 4;

    private struct Slots
    {
        public fixed uint Failed[Processors.MaxCpus * PerCpu];   // 0: passed, else the failing check's number
        public fixed uint Figure[Processors.MaxCpus * PerCpu];
        public fixed uint Detail[Processors.MaxCpus * PerCpu];
    }

    private static Slots s_slots;

    /// <summary>Clears every slot before a job.</summary>
    public static void Clear()
    {
        for (int i = 0; i < Processors.MaxCpus * PerCpu; i++)
        {
            s_slots.Failed[i] = 0;
            s_slots.Figure[i] = 0;
            s_slots.Detail[i] = 0;
        }
    }

    public static void Record(int cpu, int test, uint failed, uint figure, uint detail = 0)
    {
        s_slots.Failed[cpu * PerCpu + test] = failed;
        s_slots.Figure[cpu * PerCpu + test] = figure;
        s_slots.Detail[cpu * PerCpu + test] = detail;
    }

    public static uint Failed(int cpu, int test) => s_slots.Failed[cpu * PerCpu + test];

    public static uint Figure(int cpu, int test) => s_slots.Figure[cpu * PerCpu + test];

    public static uint Detail(int cpu, int test) => s_slots.Detail[cpu * PerCpu + test];
}
