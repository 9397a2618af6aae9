using System;
using System.CommandLine;
using System.IO;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli.Reports;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Traces;
using Spectre.Console;

namespace MioOS.Memory.Cli.Commands;

/// <summary><c>mioos-mm replay TRACE</c>: replays an allocation trace on the kernel heap of a simulated PC.</summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var trace = new Argument<FileInfo>("TRACE") { Description = "allocation trace, gzip'd or plain (format: data/traces/README.md)" };
        var machine = new MachineOptions();
        var checkEvery = new Option<long>("--check-every")
        {
            Description = "also run the heap's integrity walk every N events (outside the timing)",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command("replay", "Replay an allocation trace on the kernel heap of a simulated PC and report peak use, speed and integrity")
        {
            trace, checkEvery,
        };
        machine.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            FileInfo file = result.GetValue(trace)!;
            long every = result.GetValue(checkEvery);
            if (every < 0)
                throw new ArgumentException($"--check-every {every}: must be 0 (off) or a positive number of events");
            bool json = result.GetValue(machine.Json);
            TraceEvent[] events = TraceParser.ParseFile(file.FullName);
            using KernelMachine kernel = TraceReplayer.BootMachine(machine.Resolve(result));
            SimulatedPc pc = kernel.Pc;
            var heap = kernel.Heap;
            ReplayResult r;
            try
            {
                r = Run(events, heap, every, showProgress: !json && !Console.IsOutputRedirected
                    && AnsiConsole.Profile.Capabilities.Interactive, file.Name);
            }
            catch (ReplayException e)
            {
                Fmt.Error($"{file.Name}: {e.Message}");
                return ExitCodes.Failed;
            }
            if (json)
                JsonOutput.Write(Json(file.Name, pc, r));
            else
                Print(file.Name, pc, r);
            return r.Integrity == "ok" ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return command;
    }

    private static ReplayResult Run<TGrowth>(TraceEvent[] events, KernelHeap<TGrowth> heap, long every, bool showProgress, string name)
        where TGrowth : struct, IHeapGrowth
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

    public static JsonObject Json(string trace, SimulatedPc pc, ReplayResult r) => new()
    {
        ["trace"] = trace,
        ["machine"] = pc.Config.Description,
        ["events"] = r.Events,
        ["peakLiveBytes"] = r.PeakLiveBytes,
        ["peakHeapBytes"] = r.PeakHeapBytes,
        ["nsPerEvent"] = Math.Round(r.NsPerEvent, 1),
        ["integrity"] = r.Integrity,
        ["integrityChecks"] = r.IntegrityChecks,
        ["heap"] = HeapinfoCommand.Json(r.Final),
    };

    private static void Print(string trace, SimulatedPc pc, ReplayResult r)
    {
        var table = Fmt.NewTable("replay", Markup.Escape(trace));
        table.AddRow("machine", Markup.Escape(pc.Config.Description));
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
