using System.CommandLine;
using System.Text.Json.Nodes;
using MioOS.Memory.Boot;
using MioOS.Memory.Cli.Reports;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Virtual;
using Spectre.Console;

namespace MioOS.Memory.Cli.Commands;

/// <summary><c>mioos-mm boot</c>: boots a simulated PC, brings up every layer and reports on each.</summary>
internal static class BootCommand
{
    public static Command Create()
    {
        var machine = new MachineOptions();
        var paging = new PagingOptions();
        var command = new Command("boot", "Boot a simulated PC (multiboot info in RAM), initialise every layer and report");
        machine.AddTo(command);
        paging.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            using KernelMachine kernel = KernelMachine.Boot(machine.Resolve(result), paging.Resolve(result));
            if (result.GetValue(machine.Json))
            {
                JsonOutput.Write(Json(kernel));
                return ExitCodes.Ok;
            }
            Print(kernel);
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static JsonObject Json(KernelMachine kernel)
    {
        SimulatedPc pc = kernel.Pc;
        return new JsonObject
        {
        ["machine"] = MachineReport.Machine(pc),
        ["bootInfo"] = MachineReport.BootInfo(pc),
        ["memoryMap"] = MachineReport.MemoryMap(pc),
        ["sanitizer"] = MachineReport.Sanitizer(pc),
        ["firmware"] = MachineReport.Firmware(pc),
        ["layout"] = MachineReport.Layout(pc),
        ["pmm"] = MachineReport.Pmm(pc),
        ["vmm"] = VmmReport.Json(kernel.Paging),
        ["heap"] = HeapReport.Boot(kernel.Heap),
        };
    }

    private static void Print(KernelMachine kernel)
    {
        SimulatedPc pc = kernel.Pc;
        PagingMachine vmm = kernel.Paging;
        PmmStats s = pc.Pmm.Stats;
        AnsiConsole.MarkupLine($"[bold]MioOS.Memory[/] booted [green]{Markup.Escape(pc.Config.Description)}[/] via {(pc.BootInfo.Protocol == Memory.Boot.BootProtocol.Multiboot1 ? "multiboot1" : "multiboot2")} (info at {Fmt.Hex(pc.BootInfo.InfoAddress)}, {pc.BootInfo.InfoLength} bytes)");
        var table = Fmt.NewTable("layer", "state", "figures");
        table.AddRow("boot map", "[green]ok[/]", Markup.Escape($"{pc.RawMap.Count} raw entries -> {pc.Map.Count} sanitised; {pc.Modules.Count} modules"));
        FirmwareFigures f = pc.Firmware;
        table.AddRow("firmware", "", Markup.Escape($"usable below 4 GiB: {Fmt.Frames(f.UsableFramesBelow4G)}; above: {Fmt.Frames(f.UsableFramesAbove4G)}"));
        PmmIntegrity integrity = pc.Pmm.CheckIntegrity();
        table.AddRow("pmm", integrity.IsOk ? "[green]ok[/]" : $"[red]{Markup.Escape(MachineReport.Integrity(integrity))}[/]",
            Markup.Escape($"free low {Fmt.Frames(s.FreeFramesLow)}, free high {Fmt.Frames(s.FreeFramesHigh)}, used {s.UsedFrames:N0}, {s.FreeExtents} free extents; metadata {Fmt.Hex(s.MetadataBase)} +{Fmt.Bytes(s.MetadataLength)}"));
        table.AddRow("vmm", vmm.Status == VmmStatus.Ok ? "[green]ok[/]" : $"[red]{vmm.Status}[/]", Markup.Escape(VmmReport.Summary(vmm)));
        HeapStats heap = kernel.Heap.Stats();
        HeapCheck heapCheck = kernel.Heap.CheckIntegrity();
        table.AddRow("heap", heapCheck.IsOk ? "[green]ok[/]" : $"[red]{heapCheck.Status} at {Fmt.Hex(heapCheck.Address)}[/]",
            Markup.Escape($"{Fmt.Hex(heap.Start)} +{Fmt.Bytes(heap.SizeBytes)}: {heap.UsedBytes:N0} bytes used in {heap.Blocks} blocks, largest free {Fmt.Bytes(heap.LargestFree)}, {heap.Segments} segment(s)"));
        AnsiConsole.Write(table);
    }
}
