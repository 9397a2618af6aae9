using MioOS.Memory.Hosting.Malloc;

namespace MioOS.Memory.Tests.Malloc;

/// <summary>
/// Real programs with the kernel heap as their malloc: each runs under glibc's malloc and under
/// libmioos_malloc.so (LD_PRELOAD, inherited by the programs they start), and must print byte for byte the same
/// (the library's own lines aside) and exit the same; the statistics line shows that the library served the
/// calls and refused none.
/// </summary>
public sealed class RealProgramTests(MallocFixture fixture) : IClassFixture<MallocFixture>
{
    /// <summary>Debian's python3 (the package is in scripts/debian-packages), not a shim on the PATH.</summary>
    private const string Python = "/usr/bin/python3";

    private static readonly Dictionary<string, string> PythonMalloc = new() { ["PYTHONMALLOC"] = "malloc" };

    /// <summary>Runs the command under both mallocs (each in a fresh empty directory with <paramref name="freshDirectory"/>) and
    /// compares; returns the library's statistics lines.</summary>
    private List<MallocStatsLine> SameUnderBoth(string program, string[] arguments, Dictionary<string, string>? environment = null,
        string? input = null, bool freshDirectory = false)
    {
        string? glibcDirectory = freshDirectory ? fixture.NewDirectory("glibc") : null;
        string? oursDirectory = freshDirectory ? fixture.NewDirectory("ours") : null;
        CommandResult glibc = PreloadRun.Run(program, arguments, null, environment, glibcDirectory, input);
        var withStats = new Dictionary<string, string>(environment ?? new()) { ["MIOOS_MALLOC_STATS"] = "1" };
        CommandResult ours = PreloadRun.Run(program, arguments, fixture.Library.Library, withStats, oursDirectory, input);
        Assert.True(glibc.ExitCode == 0, $"{program} failed under glibc ({glibc.ExitCode}):\n{glibc.StandardError}");
        Assert.True(ours.ExitCode == 0, $"{program} failed under the library ({ours.ExitCode}):\n{ours.StandardError}");
        Assert.Equal(glibc.StandardOutput, ours.StandardOutput);
        Assert.Equal(glibc.StandardError, MallocStatsLine.WithoutLibraryLines(ours.StandardError));
        List<MallocStatsLine> stats = MallocStatsLine.All(ours.StandardError);
        Assert.NotEmpty(stats);
        Assert.All(stats, s => Assert.Equal(0, s.Refused));
        Assert.Contains(stats, s => s.Calls["malloc"] > 0 && s.Calls["free"] > 0);
        return stats;
    }

    [Fact]
    public void Python_dicts_lists_strings_json_and_re()
    {
        var stats = SameUnderBoth(Python, [fixture.Program("workload.py")], PythonMalloc);
        MallocStatsLine python = Assert.Single(stats);
        // PYTHONMALLOC=malloc: every object goes through the library (a million calls and more).
        Assert.True(python.TotalCalls > 1_000_000, $"{python.TotalCalls} calls");
        Assert.True(python.PeakHeapBytes > 10_000_000);
    }

    [Fact]
    public void Python_threads()
    {
        var stats = SameUnderBoth(Python, [fixture.Program("threads.py")], PythonMalloc);
        Assert.True(Assert.Single(stats).TotalCalls > 1_000_000);
    }

    [Fact]
    public void Gcc_compiles_a_real_c_file_with_O2()
    {
        // The driver and cc1 each load the library: two processes (at least) report.
        var stats = SameUnderBoth("gcc", ["-O2", "-S", "-o", "-", fixture.Program("threads.c")]);
        Assert.True(stats.Count >= 2, $"{stats.Count} processes reported");
        Assert.Contains(stats, s => s.TotalCalls > 10_000);
    }

    [Fact]
    public void Git_init_add_commit_log_gc()
    {
        var stats = SameUnderBoth("sh", [fixture.Program("git-workload.sh")], freshDirectory: true);
        Assert.True(stats.Count > 10, $"{stats.Count} processes reported");
    }

    [Fact]
    public void Perl_hashes_arrays_and_regular_expressions()
    {
        var stats = SameUnderBoth("perl", [fixture.Program("wordfreq.pl")]);
        Assert.True(Assert.Single(stats).TotalCalls > 100_000);
    }

    [Fact]
    public void Sqlite3_tables_indexes_joins_and_vacuum()
    {
        var stats = SameUnderBoth("sqlite3", [":memory:"], input: File.ReadAllText(fixture.Program("workload.sql")));
        Assert.True(Assert.Single(stats).TotalCalls > 100_000);
    }

    [Fact]
    public void Eight_threads_of_random_malloc_realloc_free_then_fork_from_the_threaded_parent()
    {
        var stats = SameUnderBoth(fixture.Compiled("threads"), []);
        // The parent and 20 children (each exits with _exit: no report), so one line.
        Assert.True(Assert.Single(stats).TotalCalls > 8 * 40_000);
    }
}
