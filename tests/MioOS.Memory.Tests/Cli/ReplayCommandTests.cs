using System;
using System.IO;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli.Commands;

namespace MioOS.Memory.Tests.Cli;

[Collection("Console")]
public class ReplayCommandTests
{
    private static (int Exit, string Out, string Err) Run(System.CommandLine.Command command, params string[] args)
    {
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int exit = command.Parse(args).Invoke();
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public void Replay_json_reports_the_figures()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mioos-replay-{Guid.NewGuid():N}.trace");
        File.WriteAllText(path, "m 0 100\nc 1 10 10\nr 0 2 300\nf 1\na 3 4096 10\nf 2\n");
        try
        {
            var (exit, output, _) = Run(ReplayCommand.Create(), path, "--json", "--check-every", "2");
            Assert.Equal(0, exit);
            JsonNode o = JsonNode.Parse(output)!;
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
    public void Bad_trace_exits_2_with_one_line_naming_the_line()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mioos-replay-{Guid.NewGuid():N}.trace");
        File.WriteAllText(path, "m 0 100\nm 1 x\n");
        try
        {
            var (exit, output, error) = Run(ReplayCommand.Create(), path);
            Assert.Equal(2, exit);
            Assert.Equal("", output);
            Assert.Single(error.TrimEnd('\n').Split('\n'));
            Assert.Contains(":2:", error);
            Assert.DoesNotContain("   at ", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Heapinfo_json_describes_a_fresh_heap()
    {
        var (exit, output, _) = Run(HeapinfoCommand.Create(), "--json");
        Assert.Equal(0, exit);
        JsonNode o = JsonNode.Parse(output)!;
        Assert.Equal(0x200000, (long)o["start"]!);
        Assert.Equal(3 * 1024 * 1024 - 1024, (long)o["size"]!);
        Assert.Equal(1, (long)o["freeBlocks"]!);
        Assert.Equal("ok", (string)o["integrity"]!);
    }
}
