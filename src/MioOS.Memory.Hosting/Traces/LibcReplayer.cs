using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MioOS.Memory.Hosting.Traces;

/// <summary>
/// Replays a parsed trace through the C library's <c>malloc</c>, <c>calloc</c>, <c>realloc</c>,
/// <c>posix_memalign</c> and <c>free</c> of this process (glibc on Debian), with the same loop and the same
/// bookkeeping (pointer and size per trace ID, live and peak bytes) as <see cref="TraceReplayer.Replay{TGrowth}"/>,
/// so the two differ only in the allocator called: the side-by-side baseline of <c>mioos-mm replay --compare glibc</c>.
/// </summary>
/// <remarks>
/// The calls go through unmanaged function pointers with the GC transition suppressed, so a call costs what a C
/// caller pays plus an indirect call, not a P/Invoke frame. Every block still live at the end is freed (outside
/// the timing), so repetitions start from the same kind of state.
/// </remarks>
public static unsafe class LibcReplayer
{
    private static readonly delegate* unmanaged[SuppressGCTransition]<nuint, void*> Malloc;
    private static readonly delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*> Calloc;
    private static readonly delegate* unmanaged[SuppressGCTransition]<void*, nuint, void*> Realloc;
    private static readonly delegate* unmanaged[SuppressGCTransition]<void**, nuint, nuint, int> PosixMemalign;
    private static readonly delegate* unmanaged[SuppressGCTransition]<void*, void> Free;

    static LibcReplayer()
    {
        nint libc = NativeLibrary.Load("libc.so.6");
        Malloc = (delegate* unmanaged[SuppressGCTransition]<nuint, void*>)NativeLibrary.GetExport(libc, "malloc");
        Calloc = (delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*>)NativeLibrary.GetExport(libc, "calloc");
        Realloc = (delegate* unmanaged[SuppressGCTransition]<void*, nuint, void*>)NativeLibrary.GetExport(libc, "realloc");
        PosixMemalign = (delegate* unmanaged[SuppressGCTransition]<void**, nuint, nuint, int>)NativeLibrary.GetExport(libc, "posix_memalign");
        Free = (delegate* unmanaged[SuppressGCTransition]<void*, void>)NativeLibrary.GetExport(libc, "free");
    }

    /// <summary>True where the C library can be loaded (Linux with glibc).</summary>
    public static bool IsAvailable =>
        OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out _);

    /// <summary>Replays <paramref name="events"/> and returns the nanoseconds per event of the loop alone, by the
    /// wall clock and by the thread's CPU clock (0 where that cannot be read), and the peak of requested bytes live.</summary>
    /// <exception cref="ReplayException">The C library refused an allocation.</exception>
    public static (double NsPerEvent, double CpuNsPerEvent, ulong PeakLiveBytes) Replay(ReadOnlySpan<TraceEvent> events)
    {
        int maxId = 0;
        foreach (ref readonly TraceEvent e in events)
            maxId = Math.Max(maxId, e.Id + 1);
        var pointers = new nint[maxId];
        var sizes = new ulong[maxId];
        ulong live = 0, peakLive = 0;
        long cpuFrom = ThreadCpuClock.Now();
        var clock = Stopwatch.StartNew();
        long cpu;
        try
        {
            for (int i = 0; i < events.Length; i++)
            {
                TraceEvent e = events[i];
                void* pointer;
                switch (e.Kind)
                {
                    case TraceEventKind.Malloc:
                        pointer = Malloc(e.Size);
                        break;
                    case TraceEventKind.Calloc:
                        pointer = Calloc(e.Extra, e.Size);
                        break;
                    case TraceEventKind.Aligned:
                        void* aligned;
                        pointer = PosixMemalign(&aligned, Math.Max(e.Extra, (uint)sizeof(void*)), e.Size) == 0 ? aligned : null;
                        break;
                    case TraceEventKind.Realloc:
                        pointer = Realloc(e.OldId >= 0 ? (void*)pointers[e.OldId] : null, e.Size);
                        if (e.OldId >= 0)
                        {
                            live -= sizes[e.OldId];
                            pointers[e.OldId] = 0;
                        }
                        break;
                    default:
                        Free((void*)pointers[e.Id]);
                        pointers[e.Id] = 0;
                        live -= sizes[e.Id];
                        continue;
                }
                if (pointer == null && e.RequestedBytes != 0)
                    throw new ReplayException($"event {i + 1} ({e.Kind} id {e.Id}, {e.RequestedBytes} bytes): the C library refused it");
                pointers[e.Id] = (nint)pointer;
                sizes[e.Id] = e.RequestedBytes;
                live += e.RequestedBytes;
                if (live > peakLive)
                    peakLive = live;
            }
            clock.Stop();
            cpu = ThreadCpuClock.Now() - cpuFrom;
        }
        finally
        {
            foreach (nint p in pointers)
                Free((void*)p);
        }
        return events.Length == 0 ? (0, 0, 0) : (clock.Elapsed.TotalNanoseconds / events.Length, (double)cpu / events.Length, peakLive);
    }
}
