using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli.Reports;
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
            using SimulatedPc pc = SimulatedPc.Boot(machine.Resolve(result));
            using PagingMachine vmm = PagingMachine.Start(pc, paging.Resolve(result));
            if (vmm.Status != VmmStatus.Ok)
                throw new BootFailedException("vmm", $"paging could not be enabled ({vmm.Status})");
            if (result.GetValue(machine.Json))
            {
                System.Console.WriteLine(Json(pc, vmm).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Ok;
            }
            Print(pc, vmm);
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static JsonObject Json(SimulatedPc pc, PagingMachine vmm) => new()
    {
        ["machine"] = MachineReport.Machine(pc),
        ["bootInfo"] = MachineReport.BootInfo(pc),
        ["memoryMap"] = MachineReport.MemoryMap(pc),
        ["sanitizer"] = MachineReport.Sanitizer(pc),
        ["firmware"] = MachineReport.Firmware(pc),
        ["layout"] = MachineReport.Layout(pc),
        ["pmm"] = MachineReport.Pmm(pc),
        ["vmm"] = VmmReport.Json(vmm),
    };

    private static void Print(SimulatedPc pc, PagingMachine vmm)
    {
        PmmStats s = pc.Pmm.Stats;
        AnsiConsole.MarkupLine($"[bold]MioOS.Memory[/] booted [green]{Markup.Escape(pc.Config.Description)}[/] via {(pc.BootInfo.Protocol == Memory.Boot.BootProtocol.Multiboot1 ? "multiboot1" : "multiboot2")} (info at {Fmt.Hex(pc.BootInfo.InfoAddress)}, {pc.BootInfo.InfoLength} bytes)");
        var table = Fmt.NewTable("layer", "state", "figures");
        table.AddRow("boot map", "[green]ok[/]", Markup.Escape($"{pc.RawMap.Count} raw entries -> {pc.Map.Count} sanitised; {pc.Modules.Count} modules"));
        FirmwareFigures f = FirmwareFigures.From(pc.Map);
        table.AddRow("firmware", "", Markup.Escape($"usable below 4 GiB: {Fmt.Frames(f.UsableFramesBelow4G)}; above: {Fmt.Frames(f.UsableFramesAbove4G)}"));
        PmmIntegrity integrity = pc.Pmm.CheckIntegrity();
        table.AddRow("pmm", integrity.IsOk ? "[green]ok[/]" : $"[red]{Markup.Escape(MachineReport.Integrity(integrity))}[/]",
            Markup.Escape($"free low {Fmt.Frames(s.FreeFramesLow)}, free high {Fmt.Frames(s.FreeFramesHigh)}, used {s.UsedFrames:N0}, {s.FreeExtents} free extents; metadata {Fmt.Hex(s.MetadataBase)} +{Fmt.Bytes(s.MetadataLength)}"));
        table.AddRow("vmm", vmm.Status == VmmStatus.Ok ? "[green]ok[/]" : $"[red]{vmm.Status}[/]", Markup.Escape(VmmReport.Summary(vmm)));
        AnsiConsole.Write(table);
    }
}
