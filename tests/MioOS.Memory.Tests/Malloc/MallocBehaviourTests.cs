using MioOS.Memory.Hosting.Malloc;

namespace MioOS.Memory.Tests.Malloc;

/// <summary>What libmioos_malloc.so promises beyond "the program works": the C and POSIX semantics of every
/// export, misuse refused (or aborting with one line), the integrity walk on demand, and the statistics line.</summary>
public sealed class MallocBehaviourTests(MallocFixture fixture) : IClassFixture<MallocFixture>
{
    private CommandResult Run(string program, string[] arguments, Dictionary<string, string>? environment = null) =>
        PreloadRun.Run(fixture.Compiled(program), arguments, fixture.Library.Library, environment);

    [Fact]
    public void Every_export_keeps_its_c_and_posix_promises()
    {
        CommandResult r = Run("semantics", [], new() { ["MIOOS_MALLOC_STATS"] = "1" });
        Assert.True(r.ExitCode == 0, r.StandardOutput + r.StandardError);
        Assert.Equal("ok: every promise held\n", r.StandardOutput);
        MallocStatsLine stats = Assert.Single(MallocStatsLine.All(r.StandardError));
        foreach (string export in new[] { "malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign",
                     "aligned_alloc", "memalign", "valloc", "pvalloc", "malloc_usable_size" })
            Assert.True(stats.Calls[export] > 0, $"{export} was not served by the library");
    }

    [Theory]
    [InlineData("double-free", "free(): double free at 0x")]
    [InlineData("interior", "free(): invalid pointer (inside a block) at 0x")]
    [InlineData("foreign", "free(): invalid pointer (not in the heap) at 0x")]
    [InlineData("realloc-freed", "realloc(): double free at 0x")]
    public void Misuse_is_refused_counted_and_reported_at_exit(string misuse, string report)
    {
        CommandResult r = Run("misuse", [misuse], new() { ["MIOOS_MALLOC_CHECK"] = "1" });
        // The heap survived (every later call checked by the integrity walk) and the program's blocks are intact.
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.StandardError}");
        Assert.Equal($"survived {misuse}\n", r.StandardOutput);
        string line = Assert.Single(r.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mioos_malloc: 1 refused calls, the last " + report, line);
    }

    [Theory]
    [InlineData("double-free", "mioos_malloc: free(): double free at 0x")]
    [InlineData("interior", "mioos_malloc: free(): invalid pointer (inside a block) at 0x")]
    [InlineData("foreign", "mioos_malloc: free(): invalid pointer (not in the heap) at 0x")]
    public void Misuse_with_abort_prints_one_line_and_aborts(string misuse, string report)
    {
        CommandResult r = Run("misuse", [misuse], new() { ["MIOOS_MALLOC_ABORT"] = "1" });
        Assert.Equal(128 + 6, r.ExitCode); // killed by SIGABRT
        Assert.Equal("", r.StandardOutput);
        string line = Assert.Single(r.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(report, line);
    }

    [Fact]
    public void With_the_debug_option_an_overrun_inside_the_rounding_is_refused_by_free_and_without_it_is_not()
    {
        CommandResult on = Run("misuse", ["overrun"], new() { ["MIOOS_MALLOC_DEBUG"] = "1" });
        Assert.True(on.ExitCode == 0, $"exit {on.ExitCode}: {on.StandardError}");
        Assert.Equal("survived overrun\n", on.StandardOutput);
        string line = Assert.Single(on.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mioos_malloc: 1 refused calls, the last free(): overrun (tail canary overwritten) at 0x", line);

        CommandResult off = Run("misuse", ["overrun"]);
        Assert.True(off.ExitCode == 0, $"exit {off.ExitCode}: {off.StandardError}");
        Assert.Equal("", off.StandardError);
    }

    [Fact]
    public void With_the_debug_option_every_export_keeps_its_promises_and_the_walk_passes_on_a_threaded_program()
    {
        CommandResult semantics = Run("semantics", [], new() { ["MIOOS_MALLOC_DEBUG"] = "1", ["MIOOS_MALLOC_CHECK"] = "1" });
        Assert.True(semantics.ExitCode == 0, semantics.StandardOutput + semantics.StandardError);
        Assert.Equal("ok: every promise held\n", semantics.StandardOutput);
        CommandResult threads = Run("threads", [], new() { ["MIOOS_MALLOC_DEBUG"] = "1", ["MIOOS_MALLOC_CHECK"] = "5000" });
        Assert.True(threads.ExitCode == 0, threads.StandardOutput + threads.StandardError);
    }

    [Fact]
    public void The_integrity_walk_every_call_passes_on_a_threaded_program()
    {
        CommandResult r = Run("threads", [], new() { ["MIOOS_MALLOC_CHECK"] = "5000", ["MIOOS_MALLOC_STATS"] = "1" });
        Assert.True(r.ExitCode == 0, r.StandardOutput + r.StandardError);
        Assert.Single(MallocStatsLine.All(r.StandardError));
    }

    [Fact]
    public void Malloc_called_before_any_constructor_starts_the_heap()
    {
        // early.c allocates from its .preinit_array, before the library's constructor has run.
        CommandResult r = Run("early", [], new() { ["MIOOS_MALLOC_STATS"] = "1" });
        Assert.True(r.ExitCode == 0, r.StandardOutput + r.StandardError);
        Assert.Equal("early malloc held\n", r.StandardOutput);
        MallocStatsLine s = Assert.Single(MallocStatsLine.All(r.StandardError));
        Assert.True(s.Calls["malloc"] >= 3 && s.Calls["free"] >= 3);
    }

    [Fact]
    public void The_statistics_line_counts_the_calls_of_a_known_program()
    {
        // misuse.c with no misuse ("none"): malloc 2 + 1000, free 1000 + 2 (a and b), nothing else.
        CommandResult r = Run("misuse", ["none"], new() { ["MIOOS_MALLOC_STATS"] = "1" });
        Assert.Equal(0, r.ExitCode);
        MallocStatsLine s = Assert.Single(MallocStatsLine.All(r.StandardError));
        Assert.True(s.Calls["malloc"] >= 1002, $"malloc {s.Calls["malloc"]}");
        Assert.True(s.Calls["free"] >= 1002, $"free {s.Calls["free"]}");
        Assert.Equal(0, s.Refused);
        Assert.Equal(1, s.Segments);
        Assert.True(s.PeakRequestedBytes >= 3000 && s.PeakRequestedBytes <= s.PeakHeapBytes);
    }

    [Fact]
    public void Peak_requested_bytes_are_the_sizes_asked_for_not_the_blocks_they_took()
    {
        // requested.c works its peak out by hand: 5221 bytes asked at once (malloc, realloc, calloc, aligned_alloc,
        // malloc(0), a refused double free). The blocks they took are larger (headers, rounding to 16).
        CommandResult r = Run("requested", [], new() { ["MIOOS_MALLOC_STATS"] = "1" });
        Assert.True(r.ExitCode == 0, r.StandardOutput + r.StandardError);
        MallocStatsLine s = Assert.Single(MallocStatsLine.All(r.StandardError));
        Assert.Equal(5221, s.PeakRequestedBytes);
        Assert.Equal(1, s.Refused);
        Assert.True(s.PeakHeapBytes > s.PeakRequestedBytes);
    }
}
