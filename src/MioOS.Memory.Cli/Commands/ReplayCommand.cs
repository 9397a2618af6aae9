using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Cli.Reports;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Traces;
using Spectre.Console;

namespace MioOS.Memory.Cli.Commands;

/// <summary><c>mioos-mm replay TRACE...</c>: replays allocation traces, each on the kernel heap of a freshly booted simulated PC.</summary>
internal static class ReplayCommand
{
    public static Command Create(Terminal t)
    {
        var traces = new Argument<FileInfo[]>("TRACE")
        {
            Description = "allocation traces, gzip'd or plain (format: data/traces/README.md); each on a freshly booted machine",
            Arity = ArgumentArity.OneOrMore,
        };
        var machine = new MachineOptions();
        var checkEvery = new Option<long>("--check-every")
        {
            Description = "also run the heap's integrity walk every N events (outside the timing)",
            DefaultValueFactory = _ => 0,
            HelpName = "N",
        };
        var prefix = new Option<long>("--events")
        {
            Description = "replay only the first N events of each trace (0 = all)",
            DefaultValueFactory = _ => 0,
            HelpName = "N",
        };
        var command = new Command("replay", "Replay allocation traces on the kernel heap of a simulated PC and report peak use, speed and integrity")
        {
            traces, checkEvery, prefix,
        }.With(
        [
            "mioos-mm replay data/traces/cmake-configure.trace.gz",
            "mioos-mm replay data/traces/*.trace.gz --json          # one JSON array, an object per trace",
            "mioos-mm replay my.trace --check-every 1000             # walk the heap's invariants as it goes",
            "mioos-mm replay data/traces/gcc-cc1-O2.trace.gz --events 1000 # the first 1,000 events only",
        ],
        [
            "0  every trace replayed and the heap's integrity walk is ok",
            "1  the heap refused an event of a trace, or its integrity walk found a fault",
            "2  bad input (a malformed trace, a missing file, an option)",
        ]);
        machine.AddTo(command);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            FileInfo[] files = result.GetValue(traces)!;
            long every = result.GetValue(checkEvery);
            if (every < 0)
                throw new UsageException($"--check-every {every}: give 0 (off) or a positive number of events");
            long count = result.GetValue(prefix);
            if (count < 0)
                throw new UsageException($"--events {count}: give 0 (all) or a positive number of events");
            foreach (FileInfo f in files)
                if (!f.Exists)
                    throw new UsageException($"{f}: no such trace file");
            bool json = machine.WantsJson(result);
            var config = machine.Resolve(result);
            var answers = new JsonArray();
            int exit = ExitCodes.Ok;
            foreach (FileInfo file in files)
            {
                TraceEvent[] events = TraceParser.ParseFile(file.FullName);
                if (count > 0 && count < events.Length)
                    events = events[..(int)count];
                using KernelMachine kernel = TraceReplayer.BootMachine(config);
                ReplayResult r;
                try
                {
                    r = Run(t, events, kernel.Heap, every, showProgress: !json && t.OutputIsInteractive, file.Name);
                }
                catch (ReplayException e)
                {
                    t.Fail($"{file.Name}: {e.Message}");
                    exit = ExitCodes.Failed;
                    continue;
                }
                if (r.Integrity != "ok")
                    exit = ExitCodes.Failed;
                if (json)
                    answers.Add(Json(file.Name, kernel.Pc, r));
                else
                    Print(t, file.Name, kernel.Pc, r);
            }
            if (json)
                JsonOutput.Write(files.Length == 1 && answers.Count == 1 ? answers[0]!.DeepClone() : answers, t.Out);
            return exit;
        }));
        return command;
    }

    private static ReplayResult Run<TGrowth>(Terminal t, TraceEvent[] events, KernelHeap<TGrowth> heap, long every, bool showProgress, string name)
        where TGrowth : struct, IHeapGrowth
    {
        if (!showProgress)
            return TraceReplayer.Replay(events, heap, every);
        ReplayResult? result = null;
        t.Console.Progress()
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

    private static void Print(Terminal t, string trace, SimulatedPc pc, ReplayResult r)
    {
        var table = Fmt.NewTable("replay", Markup.Escape(trace));
        table.AddRow("machine", Markup.Escape(pc.Config.Description));
        table.AddRow("events", $"{r.Events:N0}");
        table.AddRow("peak live bytes", $"{r.PeakLiveBytes:N0} ({Fmt.Bytes(r.PeakLiveBytes)})");
        table.AddRow("peak heap bytes", $"{r.PeakHeapBytes:N0} ({Fmt.Bytes(r.PeakHeapBytes)})");
        table.AddRow("ns per event", $"{r.NsPerEvent:0.0}");
        table.AddRow("integrity", r.Integrity == "ok"
            ? $"[green]ok[/] ({Fmt.Count((ulong)r.IntegrityChecks, "walk")})"
            : $"[red]{Markup.Escape(r.Integrity)}[/]");
        table.AddRow("heap at the end", Markup.Escape(
            $"{Fmt.Bytes(r.Final.SizeBytes)} in {Fmt.Count(r.Final.Segments, "segment")}, {Fmt.Count(r.Final.Blocks, "block")} live, {Fmt.Count(r.Final.Grows, "growth")}, {r.Final.Releases} released"));
        t.Write(table);
    }
}
