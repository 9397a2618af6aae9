using System.Text.Json.Nodes;

namespace MioOS.Memory.Tests.Cli;

/// <summary><c>mioos-mm stress</c>.</summary>
public class StressCommandTests
{
    [Fact]
    public void Stress_json_reports_one_run_per_thread_count_each_ok()
    {
        var r = Support.Cli.Run("stress", "--threads", "1", "3", "--calls", "400", "--json");
        Assert.Equal(0, r.ExitCode);
        var runs = (JsonArray)JsonNode.Parse(r.Stdout)!;
        Assert.Equal(2, runs.Count);
        Assert.Equal(1, (int)runs[0]!["threads"]!);
        Assert.Equal(3, (int)runs[1]!["threads"]!);
        foreach (JsonNode? run in runs)
        {
            Assert.True((bool)run!["ok"]!);
            Assert.True((long)run["calls"]! >= (int)run["threads"]! * 400);
            Assert.Equal((long)run["calls"]!, (long)run["heapCalls"]! + (long)run["pmmCalls"]! + (long)run["vmmCalls"]!);
            Assert.True((bool)run["checked"]!);
        }
    }

    [Theory]
    [InlineData("--threads", "0")]
    [InlineData("--threads", "65")]
    [InlineData("--calls", "0")]
    public void Stress_refuses_counts_out_of_range_with_exit_2(string option, string value)
    {
        var r = Support.Cli.Run("stress", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(option, r.Stderr);
    }
}
