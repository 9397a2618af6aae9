using System.IO.Compression;
using System.Text;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Traces;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Tests.Support;
using MioOS.Memory.Virtual;
using Growth = MioOS.Memory.Heap.PmmHeapGrowth<MioOS.Memory.Virtual.VmmFrameMapper<MioOS.Memory.Hosting.Cpu.SimulatedCpuPort, MioOS.Memory.Virtual.PmmPageTableFrames>>;

namespace MioOS.Memory.Tests.Traces;

/// <summary>The event-at-a-time replay that <c>explore</c> shows, and <c>replay --events</c>, the prefix it is compared with.</summary>
public class TraceStepperTests
{
    private static TraceEvent[] Parse(string text) => TraceParser.ParseText(Encoding.ASCII.GetBytes(text), "t");

    [Fact]
    public void Each_step_makes_the_heap_call_of_its_event_and_counts_live_bytes()
    {
        var events = Parse("m 0 100\nc 1 10 10\nr 0 2 300\nf 1\n");
        using KernelMachine machine = TraceReplayer.BootMachine();
        using KernelMachine twin = TraceReplayer.BootMachine();
        var stepper = new TraceStepper<Growth>(machine.Heap, events);
        // The twin makes the same calls by hand, as the trace format says each line means.
        stepper.Step(events[0]);
        uint first = twin.Heap.Kmalloc(100);
        Assert.Equal(first, stepper.LastPointer);
        Assert.Equal(first, stepper.PointerOf(0));
        Assert.Equal((1L, 100ul, 100ul), (stepper.Position, stepper.LiveBytes, stepper.PeakLiveBytes));
        stepper.Step(events[1]);
        uint calloc = twin.Heap.Kcalloc(10, 10);
        Assert.Equal(calloc, stepper.LastPointer);
        Assert.Equal(200ul, stepper.LiveBytes);
        stepper.Step(events[2]);
        Assert.Equal(twin.Heap.Krealloc(first, 300), stepper.LastPointer);
        Assert.Equal(stepper.LastPointer, stepper.PointerOf(2));
        Assert.Equal(0u, stepper.PointerOf(0)); // the old ID is dead after a realloc
        Assert.Equal(400ul, stepper.LiveBytes); // 300 replaces 100
        stepper.Step(events[3]);
        Assert.Equal(0u, stepper.LastPointer);
        Assert.Equal(0u, stepper.PointerOf(1));
        Assert.Equal((4L, 300ul, 400ul), (stepper.Position, stepper.LiveBytes, stepper.PeakLiveBytes));
        Assert.True(machine.Heap.CheckIntegrity().IsOk);
    }

    [Fact]
    public void A_refused_event_names_its_number()
    {
        var events = Parse("m 0 100\nm 1 2147483647\n");
        using KernelMachine machine = TraceReplayer.BootMachine();
        var stepper = new TraceStepper<Growth>(machine.Heap, events);
        stepper.Step(events[0]);
        var e = Assert.Throws<ReplayException>(() => stepper.Step(events[1]));
        Assert.StartsWith("event 2 (Malloc id 1, 2147483647 bytes)", e.Message);
    }

    [Fact]
    public void Stepping_a_real_prefix_ends_where_the_whole_replay_of_it_ends()
    {
        TraceEvent[] trace = TraceParser.ParseFile(TestData.Trace("gcc-cc1-O2.trace.gz"))[..20_000];
        using KernelMachine stepped = TraceReplayer.BootMachine();
        var stepper = new TraceStepper<Growth>(stepped.Heap, trace);
        foreach (TraceEvent e in trace)
            stepper.Step(e);
        using KernelMachine whole = TraceReplayer.BootMachine();
        ReplayResult r = TraceReplayer.Replay(trace, whole.Heap);
        Assert.Equal(r.PeakLiveBytes, stepper.PeakLiveBytes);
        HeapStats a = stepped.Heap.Stats(), b = r.Final;
        Assert.Equal((b.PeakInUseExtent, b.Blocks, b.FreeBlocks, b.UsedBytes, b.FragmentationPerMille), (a.PeakInUseExtent, a.Blocks, a.FreeBlocks, a.UsedBytes, a.FragmentationPerMille));
    }

    [Fact]
    public void Replay_events_n_reports_what_a_file_of_the_first_n_lines_reports()
    {
        string trace = TestData.Trace("cmake-configure.trace.gz");
        string prefix = Path.Combine(Path.GetTempPath(), $"mioos-prefix-{Guid.NewGuid():N}.trace");
        try
        {
            using (var gz = new GZipStream(File.OpenRead(trace), CompressionMode.Decompress))
            using (var reader = new StreamReader(gz))
                File.WriteAllLines(prefix, Enumerable.Range(0, 1000).Select(_ => reader.ReadLine()!));
            var cut = Support.Cli.Run("replay", trace, "--events", "1000", "--json");
            var file = Support.Cli.Run("replay", prefix, "--json");
            Assert.Equal(0, cut.ExitCode);
            Assert.Equal(1000, (long)cut.Json["events"]!);
            foreach (string figure in new[] { "events", "peakLiveBytes", "peakHeapBytes" })
                Assert.Equal((long)file.Json[figure]!, (long)cut.Json[figure]!);
            Assert.Equal(file.Json["heap"]!.ToJsonString(), cut.Json["heap"]!.ToJsonString());
        }
        finally
        {
            File.Delete(prefix);
        }
    }

    [Fact]
    public void Replay_refuses_a_negative_event_count()
    {
        var r = Support.Cli.Run("replay", TestData.Trace("cmake-configure.trace.gz"), "--events", "-1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--events -1", r.Stderr);
    }
}
