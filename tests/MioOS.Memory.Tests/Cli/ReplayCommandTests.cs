using System;
using System.IO;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Cli;

/// <summary><c>mioos-mm replay</c> and <c>mioos-mm heapinfo</c>.</summary>
public class ReplayCommandTests
{
    private static string TempTrace(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mioos-replay-{Guid.NewGuid():N}.trace");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Replay_json_reports_the_figures()
    {
        string path = TempTrace("m 0 100\nc 1 10 10\nr 0 2 300\nf 1\na 3 4096 10\nf 2\n");
        try
        {
            var r = Support.Cli.Run("replay", path, "--json", "--check-every", "2");
            Assert.Equal(0, r.ExitCode);
            var o = r.Json;
            Assert.Equal(6, (long)o["events"]!);
            Assert.Equal(400, (long)o["peakLiveBytes"]!);
            Assert.True((long)o["peakHeapBytes"]! > 0);
            Assert.True((double)o["nsPerEvent"]! >= 0);
            Assert.Equal("ok", (string)o["integrity"]!);
            Assert.Equal(4, (long)o["integrityChecks"]!);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Replay_of_a_real_trace_ends_with_integrity_ok()
    {
        var r = Support.Cli.Run("replay", Path.Combine(AppContext.BaseDirectory, "data", "traces", "cmake-configure.trace.gz"),
            "--json", "--check-every", "100000");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(444_585, (long)r.Json["events"]!);
        Assert.Equal(1_854_448, (long)r.Json["peakLiveBytes"]!);
        Assert.Equal("ok", (string)r.Json["integrity"]!);
    }

    [Fact]
    public void Replay_of_several_traces_gives_one_json_array_with_an_object_per_trace()
    {
        string a = TempTrace("m 0 100\nf 0\n"), b = TempTrace("m 0 10\nm 1 20\nm 2 30\n");
        try
        {
            var r = Support.Cli.Run("replay", a, b, "--json");
            Assert.Equal(0, r.ExitCode);
            var all = r.Json.AsArray();
            Assert.Equal(2, all.Count);
            Assert.Equal(Path.GetFileName(a), (string)all[0]!["trace"]!);
            Assert.Equal(2, (long)all[0]!["events"]!);
            Assert.Equal(3, (long)all[1]!["events"]!);
            Assert.Equal(60, (long)all[1]!["peakLiveBytes"]!);
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
        }
    }

    [Fact]
    public void Replay_of_several_traces_prints_a_table_per_trace()
    {
        string a = TempTrace("m 0 100\n"), b = TempTrace("m 0 10\n");
        try
        {
            var r = Support.Cli.Run("replay", a, b);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains(Path.GetFileName(a), r.Stdout);
            Assert.Contains(Path.GetFileName(b), r.Stdout);
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
        }
    }

    [Fact]
    public void Replay_compare_glibc_replays_each_trace_through_both_and_gives_the_ratio()
    {
        string a = TempTrace("m 0 100\nc 1 10 10\nr 0 2 300\nf 1\na 3 4096 10\nf 2\nm 4 262144\nf 4\n");
        try
        {
            var r = Support.Cli.Run("replay", a, a, "--compare", "glibc", "--repeat", "3", "--json");
            Assert.Equal(0, r.ExitCode);
            var all = r.Json.AsArray();
            Assert.Equal(2, all.Count);
            foreach (var o in all)
            {
                Assert.Equal(3, (long)o!["repetitions"]!);
                double ours = (double)o["nsPerEvent"]!, glibc = (double)o["glibc"]!["nsPerEvent"]!;
                Assert.True(ours > 0 && glibc > 0);
                Assert.Equal(Math.Round(ours / glibc, 2), (double)o["ratio"]!, 1);
                Assert.Equal(10 + 262_144, (long)o["peakLiveBytes"]!); // the aligned 10 bytes and the 256 KiB block
            }
        }
        finally
        {
            File.Delete(a);
        }
    }

    [Fact]
    public void Replay_without_compare_has_no_glibc_figures()
    {
        string a = TempTrace("m 0 100\nf 0\n");
        try
        {
            var r = Support.Cli.Run("replay", a, "--json");
            Assert.Equal(0, r.ExitCode);
            Assert.Null(r.Json["glibc"]);
            Assert.Equal(1, (long)r.Json["repetitions"]!);
        }
        finally
        {
            File.Delete(a);
        }
    }

    [Theory]
    [InlineData("--repeat", "0")]
    [InlineData("--compare", "jemalloc")]
    public void Replay_refuses_a_bad_repeat_or_comparison(string option, string value)
    {
        string a = TempTrace("m 0 100\n");
        try
        {
            var r = Support.Cli.Run("replay", a, option, value);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(value, r.Stderr);
        }
        finally
        {
            File.Delete(a);
        }
    }

    [Theory]
    [InlineData("m 0 100\nm 1 x\n", ":2:")]
    [InlineData("m 0 100\nf 0\nf 0\n", ":3:")]
    public void Bad_trace_exits_2_with_one_line_naming_the_line(string text, string where)
    {
        string path = TempTrace(text);
        try
        {
            var r = Support.Cli.Run("replay", path);
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
            Assert.Contains(where, r.Stderr);
            Assert.DoesNotContain("   at ", r.Stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Heapinfo_json_describes_a_fresh_heap()
    {
        var r = Support.Cli.Run("heapinfo", "--json");
        Assert.Equal(0, r.ExitCode);
        var o = r.Json;
        Assert.Equal(0x200000, (long)o["start"]!);
        Assert.Equal(3 * 1024 * 1024 - 1024, (long)o["size"]!);
        Assert.Equal(1, (long)o["freeBlocks"]!);
        Assert.Equal("ok", (string)o["integrity"]!);
    }

    [Fact]
    public void Heapinfo_after_part_of_a_trace_shows_its_blocks()
    {
        var r = Support.Cli.Run("heapinfo", "--trace", Path.Combine(AppContext.BaseDirectory, "data", "traces", "gcc-cc1-O2.trace.gz"),
            "--events", "1000", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.True((long)r.Json["blocks"]! > 0);
        Assert.Equal("ok", (string)r.Json["integrity"]!);
    }

    [Fact]
    public void Boot_heap_report_has_the_fields_boot_prints()
    {
        var boot = Support.Cli.Run("boot", "--json");
        Assert.Equal(0, boot.ExitCode);
        var o = boot.Json["heap"]!;
        Assert.Equal(0x200000L, (long)o["start"]!);
        Assert.Equal(3L * 1024 * 1024 - 1024, (long)o["size"]!); // the control block sits at the start of the area
        Assert.Equal(0, (long)o["usedBytes"]!);
        Assert.Equal((long)o["size"]!, (long)o["freeBytes"]!);
        Assert.Equal(0, (long)o["blocks"]!);
        Assert.Equal(1, (long)o["freeBlocks"]!);
        Assert.Equal((long)o["size"]!, (long)o["largestFree"]!);
        Assert.Equal("ok", (string)o["integrity"]!);
    }
}
