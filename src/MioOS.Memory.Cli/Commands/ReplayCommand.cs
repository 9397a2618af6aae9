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
        var repeat = new Option<int>("--repeat")
        {
            Description = "replay each trace N times (a freshly booted machine each time) and report the median ns per event",
            DefaultValueFactory = _ => 1,
            HelpName = "N",
        };
        var compare = new Option<string?>("--compare")
        {
            Description = "also replay the same parsed events through ALLOCATOR (glibc: the C library's malloc/free) in this process, interleaved with ours, and report the ratio",
            HelpName = "ALLOCATOR",
        };
        compare.AcceptOnlyFromAmong("glibc");
        var command = new Command("replay", "Replay allocation traces on the kernel heap of a simulated PC and report peak use, speed and integrity")
        {
            traces, checkEvery, prefix, repeat, compare,
        }.With(
        [
            "mioos-mm replay data/traces/cmake-configure.trace.gz",
            "mioos-mm replay data/traces/*.trace.gz --json          # one JSON array, an object per trace",
            "mioos-mm replay my.trace --check-every 1000             # walk the heap's invariants as it goes",
            "mioos-mm replay data/traces/gcc-cc1-O2.trace.gz --events 1000 # the first 1,000 events only",
            "mioos-mm replay data/traces/*.trace.gz --compare glibc --repeat 5 --json  # ours and glibc side by side, medians",
        ],
        [
            "0  every trace replayed and the heap's integrity walk is ok",
            "1  the heap refused an event of a trace, or its integrity walk found a fault",
            "2  bad input (a malformed trace, a missing file, an option)",
        ]);
        var heapDebug = HeapDebugOption.Create();
        command.Add(heapDebug);
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
            int repetitions = result.GetValue(repeat);
            if (repetitions < 1)
                throw new UsageException($"--repeat {repetitions}: give a positive number of replays");
            bool withGlibc = result.GetValue(compare) is not null;
            if (withGlibc && !LibcReplayer.IsAvailable)
                throw new UsageException("--compare glibc: the C library (libc.so.6) cannot be loaded on this system");
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
                var ours = new double[repetitions];
                var oursCpu = new double[repetitions];
                double[]? glibc = withGlibc ? new double[repetitions] : null;
                double[]? glibcCpu = withGlibc ? new double[repetitions] : null;
                ReplayResult? r = null;
                string machineName = "";
                try
                {
                    // Interleaved: each repetition replays ours on a fresh machine, then the C library's, so a
                    // neighbour's load on the machine falls on both sides alike.
                    for (int rep = 0; rep < repetitions; rep++)
                    {
                        using KernelMachine kernel = TraceReplayer.BootMachine(config, options: HeapDebugOption.Of(result, heapDebug));
                        machineName = kernel.Pc.Config.Description;
                        r = Run(t, events, kernel.Heap, every, showProgress: !json && t.OutputIsInteractive, file.Name);
                        ours[rep] = r.NsPerEvent;
                        oursCpu[rep] = r.CpuNsPerEvent;
                        if (glibc is not null)
                            (glibc[rep], glibcCpu![rep], _) = LibcReplayer.Replay(events);
                    }
                }
                catch (ReplayException e)
                {
                    t.Fail($"{file.Name}: {e.Message}");
                    exit = ExitCodes.Failed;
                    continue;
                }
                var figures = new ReplayFigures(file.Name, machineName, r! with { NsPerEvent = Median(ours), CpuNsPerEvent = Median(oursCpu) },
                    repetitions, glibc is null ? null : Median(glibc), glibcCpu is null ? null : Median(glibcCpu));
                if (figures.Result.Integrity != "ok")
                    exit = ExitCodes.Failed;
                if (json)
                    answers.Add(Json(figures));
                else
                    Print(t, figures);
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

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>What one trace's replays measured: ours (the median ns per event in <see cref="ReplayResult.NsPerEvent"/>)
    /// and, with <c>--compare glibc</c>, the C library's median.</summary>
    public sealed record ReplayFigures(string Trace, string Machine, ReplayResult Result, int Repetitions,
        double? GlibcNsPerEvent, double? GlibcCpuNsPerEvent)
    {
        /// <summary>Ours over glibc's ns per event (above 1: ours is slower).</summary>
        public double? Ratio => GlibcNsPerEvent is > 0 ? Result.NsPerEvent / GlibcNsPerEvent : null;

        /// <summary>The same ratio by the thread CPU clock.</summary>
        public double? CpuRatio => GlibcCpuNsPerEvent is > 0 && Result.CpuNsPerEvent > 0 ? Result.CpuNsPerEvent / GlibcCpuNsPerEvent : null;
    }

    public static JsonObject Json(ReplayFigures f)
    {
        ReplayResult r = f.Result;
        var o = new JsonObject
        {
            ["trace"] = f.Trace,
            ["machine"] = f.Machine,
            ["events"] = r.Events,
            ["peakLiveBytes"] = r.PeakLiveBytes,
            ["peakHeapBytes"] = r.PeakHeapBytes,
            ["footprint"] = r.PeakLiveBytes == 0 ? 0 : Math.Round((double)r.PeakHeapBytes / r.PeakLiveBytes, 3),
            ["nsPerEvent"] = Math.Round(r.NsPerEvent, 1),
            ["cpuNsPerEvent"] = Math.Round(r.CpuNsPerEvent, 1),
            ["repetitions"] = f.Repetitions,
            ["integrity"] = r.Integrity,
            ["integrityChecks"] = r.IntegrityChecks,
            ["heap"] = HeapinfoCommand.Json(r.Final),
        };
        if (f.GlibcNsPerEvent is double glibc)
        {
            o["glibc"] = new JsonObject { ["nsPerEvent"] = Math.Round(glibc, 1), ["cpuNsPerEvent"] = Math.Round(f.GlibcCpuNsPerEvent ?? 0, 1) };
            o["ratio"] = f.Ratio is double ratio ? Math.Round(ratio, 2) : null;
            o["cpuRatio"] = f.CpuRatio is double cpuRatio ? Math.Round(cpuRatio, 2) : null;
        }
        return o;
    }

    private static void Print(Terminal t, ReplayFigures f)
    {
        ReplayResult r = f.Result;
        var table = Fmt.NewTable("replay", Markup.Escape(f.Trace));
        table.AddRow("machine", Markup.Escape(f.Machine));
        table.AddRow("events", $"{r.Events:N0}");
        table.AddRow("peak live bytes", $"{r.PeakLiveBytes:N0} ({Fmt.Bytes(r.PeakLiveBytes)})");
        table.AddRow("peak heap bytes", $"{r.PeakHeapBytes:N0} ({Fmt.Bytes(r.PeakHeapBytes)})");
        if (r.PeakLiveBytes > 0)
            table.AddRow("footprint", $"{(double)r.PeakHeapBytes / r.PeakLiveBytes:0.000} (peak heap / peak live)");
        string median = f.Repetitions > 1 ? $" (median of {f.Repetitions})" : "";
        table.AddRow("ns per event", $"{r.NsPerEvent:0.0}{median}" + (r.CpuNsPerEvent > 0 ? $", CPU {r.CpuNsPerEvent:0.0}" : ""));
        if (f.GlibcNsPerEvent is double glibc)
            table.AddRow("glibc ns per event", $"{glibc:0.0}{median}, ratio {f.Ratio:0.00}"
                + (f.CpuRatio is double cpuRatio ? $"; CPU {f.GlibcCpuNsPerEvent:0.0}, ratio {cpuRatio:0.00}" : ""));
        table.AddRow("integrity", r.Integrity == "ok"
            ? $"[green]ok[/] ({Fmt.Count((ulong)r.IntegrityChecks, "walk")})"
            : $"[red]{Markup.Escape(r.Integrity)}[/]");
        table.AddRow("heap at the end", Markup.Escape(
            $"{Fmt.Bytes(r.Final.SizeBytes)} in {Fmt.Count(r.Final.Segments, "segment")}, {Fmt.Count(r.Final.Blocks, "block")} live, {Fmt.Count(r.Final.Grows, "growth")}, {r.Final.Releases} released"));
        t.Write(table);
    }
}
