using System;
using System.IO;
using System.IO.Compression;
using System.Text;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Traces;

namespace MioOS.Memory.Tests.Traces;

public class TraceParserTests
{
    private static TraceEvent[] Parse(string text) => TraceParser.ParseText(Encoding.ASCII.GetBytes(text), "t");

    [Fact]
    public void Parses_every_event_kind()
    {
        var events = Parse("m 0 10\nc 1 3 8\nr 0 2 100\nr - 3 5\na 4 64 200\nf 2\nf 1\n");
        Assert.Equal(7, events.Length);
        Assert.Equal(new TraceEvent(TraceEventKind.Malloc, 0, -1, 10, 0), events[0]);
        Assert.Equal(new TraceEvent(TraceEventKind.Calloc, 1, -1, 8, 3), events[1]);
        Assert.Equal(24ul, events[1].RequestedBytes);
        Assert.Equal(new TraceEvent(TraceEventKind.Realloc, 2, 0, 100, 0), events[2]);
        Assert.Equal(new TraceEvent(TraceEventKind.Realloc, 3, -1, 5, 0), events[3]);
        Assert.Equal(new TraceEvent(TraceEventKind.Aligned, 4, -1, 200, 64), events[4]);
        Assert.Equal(new TraceEvent(TraceEventKind.Free, 2, -1, 0, 0), events[5]);
    }

    [Fact]
    public void Reads_gzip_and_plain_alike()
    {
        byte[] plain = Encoding.ASCII.GetBytes("m 0 10\r\nf 0\r\n");
        var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(plain);
        packed.Position = 0;
        Assert.Equal(TraceParser.Parse(new MemoryStream(plain)), TraceParser.Parse(packed));
    }

    [Theory]
    [InlineData("m 0 10\nx 1 2\n", 2, "unknown event kind")]
    [InlineData("m 0 10\nm 2 10\n", 2, "out of order")]
    [InlineData("m 0 10\nf 0\nf 0\n", 3, "not a live block")]
    [InlineData("m 0 abc\n", 1, "expected a number")]
    [InlineData("m 0 10 11\n", 1, "too many fields")]
    [InlineData("m 0 10\nr 0 1 99999999999\n", 2, "too large")]
    [InlineData("a 0 24 10\n", 1, "not a power of two")]
    [InlineData("m 0 10\n\nr 5 1 10\n", 3, "not a live block")]
    public void Bad_lines_name_their_line_number(string text, long line, string what)
    {
        var e = Assert.Throws<TraceFormatException>(() => Parse(text));
        Assert.Equal(line, e.Line);
        Assert.Contains(what, e.Message);
        Assert.StartsWith($"t:{line}:", e.Message);
    }
}

public class TraceReplayTests
{
    private static string TracePath(string name) => Path.Combine(AppContext.BaseDirectory, "data", "traces", name);

    [Fact]
    public void Small_replay_counts_live_bytes_and_heap_extent()
    {
        var events = TraceParser.ParseText(Encoding.ASCII.GetBytes("m 0 100\nc 1 10 10\nr 0 2 300\nf 1\na 3 4096 10\nf 2\n"));
        using KernelMachine machine = TraceReplayer.BootMachine();
        ReplayResult r = TraceReplayer.Replay(events, machine.Heap, checkEvery: 1);
        Assert.Equal(6, r.Events);
        Assert.Equal(400ul, r.PeakLiveBytes); // 300 + the calloc's 100 after the realloc
        Assert.Equal("ok", r.Integrity);
        Assert.Equal(7, r.IntegrityChecks);
        Assert.True(r.PeakHeapBytes >= 112 + 112 + 312);
        Assert.Equal(1u, r.Final.Blocks);
    }

    [Theory]
    [InlineData("cmake-configure.trace.gz", 444_585, 1_854_448)]
    [InlineData("gcc-cc1-O2.trace.gz", 1_450_697, 4_474_178)]
    [InlineData("perl-wordfreq.trace.gz", 1_860_348, 19_865_787)]
    [InlineData("git-log-p.trace.gz", 140_798, 7_657_555)]
    [InlineData("python3-json.trace.gz", 1_917_246, 15_286_963)]
    [InlineData("sqlite3.trace.gz", 1_325_784, 17_066_059)]
    public void Real_traces_replay_with_integrity_ok_on_the_replay_and_benchmark_machine(string name, long events, ulong peakLive)
    {
        TraceEvent[] trace = TraceParser.ParseFile(TracePath(name));
        Assert.Equal(events, trace.Length);
        using KernelMachine machine = TraceReplayer.BootMachine();
        ReplayResult r = TraceReplayer.Replay(trace, machine.Heap, checkEvery: 250_000);
        Assert.Equal("ok", r.Integrity);
        Assert.Equal(peakLive, r.PeakLiveBytes);
        Assert.True(r.PeakHeapBytes >= peakLive);
        Assert.Equal(0u, r.Final.MisuseCount);
    }
}
