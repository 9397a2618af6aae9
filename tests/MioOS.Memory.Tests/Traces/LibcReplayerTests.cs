using System;
using System.IO;
using System.Text;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Traces;

namespace MioOS.Memory.Tests.Traces;

/// <summary>The C library's side of <c>mioos-mm replay --compare glibc</c>: the same events, the same bookkeeping.</summary>
public class LibcReplayerTests
{
    [Fact]
    public void Glibc_replay_sees_the_same_live_bytes_as_the_kernel_heap_replay()
    {
        TraceEvent[] events = TraceParser.ParseText(Encoding.ASCII.GetBytes(
            "m 0 100\nc 1 10 10\nr 0 2 300\nf 1\na 3 4096 10\nr - 4 50\nf 2\nm 5 262144\nf 5\nf 4\n"), "t");
        Assert.True(LibcReplayer.IsAvailable);
        var glibc = LibcReplayer.Replay(events);
        using KernelMachine machine = TraceReplayer.BootMachine();
        ReplayResult ours = TraceReplayer.Replay(events, machine.Heap);
        Assert.Equal(ours.PeakLiveBytes, glibc.PeakLiveBytes);
        Assert.Equal(10UL + 50 + 262_144, glibc.PeakLiveBytes);
        Assert.True(glibc.NsPerEvent > 0);
    }

    [Fact]
    public void Glibc_replay_of_a_real_trace_runs_to_the_end()
    {
        TraceEvent[] events = TraceParser.ParseFile(Path.Combine(AppContext.BaseDirectory, "data", "traces", "cmake-configure.trace.gz"));
        Assert.Equal(1_854_448UL, LibcReplayer.Replay(events).PeakLiveBytes);
    }

    [Fact]
    public void The_thread_cpu_clock_moves_forward_while_the_thread_works()
    {
        Assert.True(ThreadCpuClock.IsAvailable);
        long before = ThreadCpuClock.Now();
        double x = 0;
        for (int i = 1; i < 5_000_000; i++)
            x += Math.Sqrt(i);
        Assert.True(x > 0);
        Assert.True(ThreadCpuClock.Now() > before);
    }
}
