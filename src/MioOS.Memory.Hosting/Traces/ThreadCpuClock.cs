using System.Runtime.InteropServices;

namespace MioOS.Memory.Hosting.Traces;

/// <summary>
/// The CPU time the calling thread has used (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), beside the wall clock: on a
/// machine shared with other work, a replay's wall time also counts the time it waited for a core, its CPU time
/// does not. Elsewhere it reads 0 and the replay reports no CPU figure.
/// </summary>
public static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>True where the thread CPU clock can be read.</summary>
    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && NowOrZero() > 0;

    /// <summary>Nanoseconds of CPU time this thread has used, or 0 where that cannot be read.</summary>
    public static long Now() => IsAvailable ? NowOrZero() : 0;

    private static long NowOrZero()
    {
        try
        {
            return ClockGetTime(ClockThreadCpuTime, out TimeSpec t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : 0;
        }
        catch (DllNotFoundException)
        {
            return 0;
        }
        catch (EntryPointNotFoundException)
        {
            return 0;
        }
    }
}
