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

/// <summary><c>mioos-mm heapinfo</c>: MioOS's heapinfo: the kernel heap's size, use (with a bar), blocks and
/// fragmentation; optionally after replaying (part of) a trace on it.</summary>
internal static class HeapinfoCommand
{
    public static Command Create()
    {
        var machine = new MachineOptions();
        var trace = new Option<FileInfo?>("--trace") { Description = "replay this allocation trace on the heap first" };
        var events = new Option<long>("--events")
        {
            Description = "with --trace: replay only the first N events (0 = all)",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command("heapinfo", "Show the kernel heap of a simulated PC: size, used and free bytes with a bar, blocks, fragmentation")
        {
            trace, events,
        };
        machine.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            long count = result.GetValue(events);
            FileInfo? file = result.GetValue(trace);
            if (count < 0)
                throw new ArgumentException($"--events {count}: must be 0 (all) or positive");
            if (count > 0 && file is null)
                throw new ArgumentException("--events needs --trace");
            using KernelMachine kernel = TraceReplayer.BootMachine(machine.Resolve(result));
            SimulatedPc pc = kernel.Pc;
            var heap = kernel.Heap;
            if (file is not null)
            {
                TraceEvent[] all = TraceParser.ParseFile(file.FullName);
                int n = count == 0 || count > all.Length ? all.Length : (int)count;
                try
                {
                    TraceReplayer.Replay(all.AsSpan(0, n), heap);
                }
                catch (ReplayException e)
                {
                    Fmt.Error($"{file.Name}: {e.Message}");
                    return ExitCodes.Failed;
                }
            }
            HeapStats s = heap.Stats();
            HeapCheck check = heap.CheckIntegrity();
            if (result.GetValue(machine.Json))
            {
                JsonObject o = Json(s);
                o["integrity"] = check.IsOk ? "ok" : $"{check.Status} at 0x{check.Address:X8}";
                JsonOutput.Write(o);
            }
            else
            {
                Print(heap, s, check);
            }
            return check.IsOk ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return command;
    }

    public static JsonObject Json(HeapStats s) => HeapReport.Full(s);

    private static void Print<TGrowth>(KernelHeap<TGrowth> heap, HeapStats s, HeapCheck check) where TGrowth : struct, IHeapGrowth
    {
        var table = Fmt.NewTable("kernel heap", "");
        table.AddRow("start", Fmt.Hex(s.Start));
        table.AddRow("size", $"{Fmt.Bytes(s.SizeBytes)} in {s.Segments} segment(s)");
        table.AddRow("used", $"{Fmt.Bytes(s.UsedBytes)} in {s.Blocks:N0} blocks (headers included)");
        table.AddRow("free", $"{Fmt.Bytes(s.FreeBytes)} in {s.FreeBlocks:N0} blocks; largest {Fmt.Bytes(s.LargestFree)}");
        table.AddRow("", Fmt.Bar(s.UsedBytes, s.SizeBytes));
        table.AddRow("fragmentation", $"{s.FragmentationPerMille / 10.0:0.0}% (1 - largest free / free)");
        table.AddRow("in use (extent)", $"{Fmt.Bytes(s.InUseExtent)} now, {Fmt.Bytes(s.PeakInUseExtent)} at peak");
        if (s.MisuseCount > 0)
            table.AddRow("misuse reports", $"[red]{s.MisuseCount}[/], last {s.LastMisuse} at {Fmt.Hex(s.LastMisuseAddress)}");
        table.AddRow("integrity", check.IsOk ? "[green]ok[/]" : $"[red]{check.Status} at {Fmt.Hex(check.Address)}[/]");
        AnsiConsole.Write(table);
        if (s.Segments > 1)
        {
            var segments = Fmt.NewTable("segment", "start", "end", "size");
            for (int i = 0; heap.Segment(i, out uint start, out uint length); i++)
                segments.AddRow($"{i}", Fmt.Hex(start), Fmt.Hex((ulong)start + length), Fmt.Bytes(length));
            AnsiConsole.Write(segments);
        }
    }
}
