using System;
using System.CommandLine;
using System.IO;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Cli.Reports;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Traces;
using Spectre.Console;

namespace MioOS.Memory.Cli.Commands;

/// <summary><c>mioos-mm heapinfo</c>: MioOS's heapinfo: the kernel heap's size, use (with a bar), blocks and
/// fragmentation; optionally after replaying (part of) a trace on it.</summary>
internal static class HeapinfoCommand
{
    /// <summary>The <c>--trace FILE</c> and <c>--events N</c> options that replay a trace prefix first.</summary>
    public sealed class TraceOptions
    {
        public Option<FileInfo?> Trace { get; } = new("--trace") { Description = "replay this allocation trace on the heap first (data/traces)", HelpName = "FILE" };

        public Option<long> Events { get; } = new("--events")
        {
            Description = "with --trace: replay only the first N events (0 = all)",
            DefaultValueFactory = _ => 0,
            HelpName = "N",
        };

        public void AddTo(Command command)
        {
            command.Add(Trace);
            command.Add(Events);
        }

        /// <summary>Replays the chosen prefix on <paramref name="heap"/>; false (and a message) when the heap refused an event.</summary>
        public bool Replay<TGrowth>(ParseResult result, Terminal t, KernelHeap<TGrowth> heap) where TGrowth : struct, IHeapGrowth
        {
            FileInfo? file = result.GetValue(Trace);
            if (file is null)
                return true;
            long count = result.GetValue(Events);
            TraceEvent[] all = TraceParser.ParseFile(file.FullName);
            int n = count == 0 || count > all.Length ? all.Length : (int)count;
            try
            {
                TraceReplayer.Replay(all.AsSpan(0, n), heap);
                return true;
            }
            catch (ReplayException e)
            {
                t.Fail($"{file.Name}: {e.Message}");
                return false;
            }
        }

        /// <summary>Checks the options before anything boots.</summary>
        public void Validate(ParseResult result)
        {
            long count = result.GetValue(Events);
            FileInfo? file = result.GetValue(Trace);
            if (count < 0)
                throw new UsageException($"--events {count}: give 0 (all) or a positive number of events");
            if (count > 0 && file is null)
                throw new UsageException("--events counts events of a trace: give --trace FILE too");
            if (file is not null && !file.Exists)
                throw new UsageException($"--trace {file}: no such file");
        }
    }

    public static Command Create(Terminal t)
    {
        var machine = new MachineOptions();
        var paging = new PagingOptions();
        var trace = new TraceOptions();
        var command = new Command("heapinfo", "Show the kernel heap of a simulated PC: size, used and free bytes with a bar, blocks, fragmentation").With(
        [
            "mioos-mm heapinfo                  # the fresh heap: 3 MiB at 0x200000",
            "mioos-mm heapinfo --trace data/traces/gcc-cc1-O2.trace.gz --events 100000",
            "mioos-mm heapinfo --json --cpu max",
        ]);
        trace.AddTo(command);
        machine.AddTo(command);
        paging.AddTo(command);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            trace.Validate(result);
            using KernelMachine kernel = TraceReplayer.BootMachine(machine.Resolve(result), paging.Resolve(result));
            var heap = kernel.Heap;
            if (!trace.Replay(result, t, heap))
                return ExitCodes.Failed;
            HeapStats s = heap.Stats();
            HeapCheck check = heap.CheckIntegrity();
            if (machine.WantsJson(result))
            {
                JsonObject o = Json(s);
                o["integrity"] = check.IsOk ? "ok" : $"{check.Status} at 0x{check.Address:X8}";
                JsonOutput.Write(o, t.Out);
            }
            else
            {
                Print(t, heap, s, check);
            }
            return check.IsOk ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return command;
    }

    public static JsonObject Json(HeapStats s) => HeapReport.Full(s);

    private static void Print<TGrowth>(Terminal t, KernelHeap<TGrowth> heap, HeapStats s, HeapCheck check) where TGrowth : struct, IHeapGrowth
    {
        var table = Fmt.NewTable("kernel heap", "");
        table.AddRow("start", Fmt.Hex(s.Start));
        table.AddRow("size", $"{Fmt.Bytes(s.SizeBytes)} in {Fmt.Count(s.Segments, "segment")}");
        table.AddRow("used", $"{Fmt.Bytes(s.UsedBytes)} in {Fmt.Count(s.Blocks, "block")} (headers included)");
        table.AddRow("free", $"{Fmt.Bytes(s.FreeBytes)} in {Fmt.Count(s.FreeBlocks, "block")}; largest {Fmt.Bytes(s.LargestFree)}");
        table.AddRow("", Fmt.Bar(s.UsedBytes, s.SizeBytes));
        table.AddRow("fragmentation", $"{s.FragmentationPerMille / 10.0:0.0}% (1 - largest free / free)");
        table.AddRow("in use (extent)", $"{Fmt.Bytes(s.InUseExtent)} now, {Fmt.Bytes(s.PeakInUseExtent)} at peak");
        if (s.MisuseCount > 0)
            table.AddRow("misuse reports", $"[red]{s.MisuseCount}[/], last {s.LastMisuse} at {Fmt.Hex(s.LastMisuseAddress)}");
        table.AddRow("integrity", check.IsOk ? "[green]ok[/]" : $"[red]{check.Status} at {Fmt.Hex(check.Address)}[/]");
        t.Write(table);
        if (s.Segments > 1)
        {
            var segments = Fmt.NewTable("segment", "start", "end", "size");
            for (int i = 0; heap.Segment(i, out uint start, out uint length); i++)
                segments.AddRow($"{i}", Fmt.Hex(start), Fmt.Hex((ulong)start + length), Fmt.Bytes(length));
            t.Write(segments);
        }
    }
}
