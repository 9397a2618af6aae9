using MioOS.Memory.Tests.Malloc;

namespace MioOS.Memory.Tests.Cli;

/// <summary><c>mioos-mm run</c>: the program runs with the library preloaded (built first when needed) and its exit
/// code comes back. The program inherits the test's standard streams, so it writes what the test reads to a file.</summary>
public sealed class RunCommandTests(MallocFixture fixture) : IClassFixture<MallocFixture>
{
    [Fact]
    public void Runs_the_program_on_the_library_and_returns_its_exit_code()
    {
        string output = Path.Combine(fixture.NewDirectory("run"), "out.txt");
        string script = $"import sys\nsys.stderr = open('{output}', 'w')\nprint('on the heap', file=sys.stderr)\nsys.exit(3)";
        var r = Support.Cli.Run("run", "--stats", "--check", "1000", "--", "/usr/bin/python3", "-c", script);
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("", r.Stderr);
        Assert.Equal("on the heap\n", File.ReadAllText(output));
    }

    [Fact]
    public void The_statistics_line_reaches_a_redirected_stderr()
    {
        string output = Path.Combine(fixture.NewDirectory("run"), "err.txt");
        var r = Support.Cli.Run("run", "--stats", "--", "sh", "-c", $"/usr/bin/python3 -c 'print(1)' > /dev/null 2> {output}");
        Assert.Equal(0, r.ExitCode);
        var line = Assert.Single(MioOS.Memory.Hosting.Malloc.MallocStatsLine.All(File.ReadAllText(output)));
        Assert.True(line.Calls["malloc"] > 0);
    }

    [Fact]
    public void A_missing_program_is_127_and_no_program_is_bad_input()
    {
        Assert.Equal(127, Support.Cli.Run("run", "--", "/nonexistent/program").ExitCode);
        Assert.Equal(2, Support.Cli.Run("run").ExitCode);
        Assert.Equal(2, Support.Cli.Run("run", "--check", "-1", "--", "true").ExitCode);
    }
}
