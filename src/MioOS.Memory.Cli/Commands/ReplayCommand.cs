using System;
using System.CommandLine;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli.Reports;
using MioOS.Memory.Hosting.Heap;
using MioOS.Memory.Hosting.Traces;
using Spectre.Console;

namespace MioOS.Memory.Cli.Commands;

/// <summary><c>mioos-mm replay TRACE</c>: replays an allocation trace on the kernel heap of a simulated PC.</summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var trace = new Argument<FileInfo>("TRACE") { Description = "allocation trace, gzip'd or plain (format: data/traces/README.md)" };
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of a table" };
        var checkEvery = new Option<long>("--check-every")
        {
            Description = "also run the heap's integrity walk every N events (outside the timing)",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command("replay", "Replay an allocation trace on the kernel heap and report peak use, speed and integrity")
        {
            trace, json, checkEvery,
        };
        command.SetAction(result => CommandRunner.Run(() =>
        {
            FileInfo file = result.GetValue(trace)!;
            long every = result.GetValue(checkEvery);
            if (every < 0)
                throw new ArgumentException($"--check-every {every}: must be 0 (off) or a positive number of events");
            TraceEvent[] events = TraceParser.ParseFile(file.FullName);
            using var heap = new HostedHeap(TraceReplayer.DefaultRamBytes);
            ReplayResult r;
            try
            {
                r = Run(events, heap, every, showProgress: !result.GetValue(json) && !Console.IsOutputRedirected
                    && AnsiConsole.Profile.Capabilities.Interactive, file.Name);
            }
            catch (ReplayException e)
            {
                Fmt.Error($"{file.Name}: {e.Message}");
                return ExitCodes.Failed;
            }
            if (result.GetValue(json))
                Console.WriteLine(Json(file.Name, r).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            else
                Print(file.Name, r);
            return r.Integrity == "ok" ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return command;
    }

    private static ReplayResult Run(TraceEvent[] events, HostedHeap heap, long every, bool showProgress, string name)
    {
        if (!showProgress)
            return TraceReplayer.Replay(events, heap, every);
        ReplayResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask(Markup.Escape($"replaying {name}"), maxValue: Math.Max(1, events.Length));
                result = TraceReplayer.Replay(events, heap, every, done => task.Value = done);
            });
        return result!;
    }

    public static JsonObject Json(string trace, ReplayResult r) => new()
    {
        ["trace"] = trace,
        ["events"] = r.Events,
        ["peakLiveBytes"] = r.PeakLiveBytes,
        ["peakHeapBytes"] = r.PeakHeapBytes,
        ["nsPerEvent"] = Math.Round(r.NsPerEvent, 1),
        ["integrity"] = r.Integrity,
        ["integrityChecks"] = r.IntegrityChecks,
        ["heap"] = HeapinfoCommand.Json(r.Final),
    };

    private static void Print(string trace, ReplayResult r)
    {
        var table = Fmt.NewTable("replay", Markup.Escape(trace));
        table.AddRow("events", $"{r.Events:N0}");
        table.AddRow("peak live bytes", $"{r.PeakLiveBytes:N0} ({Fmt.Bytes(r.PeakLiveBytes)})");
        table.AddRow("peak heap bytes", $"{r.PeakHeapBytes:N0} ({Fmt.Bytes(r.PeakHeapBytes)})");
        table.AddRow("ns per event", $"{r.NsPerEvent:0.0}");
        table.AddRow("integrity", r.Integrity == "ok"
            ? $"[green]ok[/] ({r.IntegrityChecks:N0} walk{(r.IntegrityChecks == 1 ? "" : "s")})"
            : $"[red]{Markup.Escape(r.Integrity)}[/]");
        table.AddRow("heap at the end", Markup.Escape(
            $"{Fmt.Bytes(r.Final.SizeBytes)} in {r.Final.Segments} segment(s), {r.Final.Blocks:N0} blocks live, {r.Final.Grows} growths, {r.Final.Releases} released"));
        AnsiConsole.Write(table);
    }
}
