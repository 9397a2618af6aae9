using System.CommandLine;
using System.Text.Json.Nodes;
using MioOS.Memory.Boot;
using MioOS.Memory.Cli.Io;
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
    public static Command Create(Terminal t)
    {
        var machine = new MachineOptions();
        var paging = new PagingOptions();
        var command = new Command("boot", "Boot a simulated PC (real multiboot info in its RAM), bring up the PMM, VMM and heap, and report on each layer").With(
        [
            "mioos-mm boot                      # QEMU's PC with 128 MiB, as qemu-system-i386 -m 128M",
            "mioos-mm boot -m 5G --cpu max      # 3 GiB below 4 GiB, 2 GiB above; a CPU with PSE-36",
            "mioos-mm boot --memmap data/memmaps/12-supermicro-h13dsg-epyc-1.5tib.txt --json",
        ]);
        machine.AddTo(command);
        paging.AddTo(command);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            ulong? ram = machine.RamBytes(result);
            using KernelMachine kernel = KernelMachine.Boot(machine.Resolve(result), paging.Resolve(result));
            if (machine.WantsJson(result))
                JsonOutput.Write(Json(kernel, ram), t.Out);
            else
                Print(t, kernel);
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static JsonObject Json(KernelMachine kernel, ulong? ramBytes = null)
    {
        SimulatedPc pc = kernel.Pc;
        return new JsonObject
        {
            ["machine"] = MachineReport.Machine(pc, ramBytes),
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

    private static void Print(Terminal t, KernelMachine kernel)
    {
        SimulatedPc pc = kernel.Pc;
        PagingMachine vmm = kernel.Paging;
        PmmStats s = pc.Pmm.Stats;
        t.Markup($"[bold]MioOS.Memory[/] booted [green]{Markup.Escape(pc.Config.Description)}[/] via {(pc.BootInfo.Protocol == BootProtocol.Multiboot1 ? "multiboot1" : "multiboot2")} (info at {Fmt.Hex(pc.BootInfo.InfoAddress)}, {pc.BootInfo.InfoLength} bytes)");
        var table = Fmt.NewTable("layer", "state", "figures");
        table.AddRow("boot map", "[green]ok[/]", Markup.Escape($"{Fmt.Count((ulong)pc.RawMap.Count, "raw entry", "raw entries")} -> {pc.Map.Count} sanitised; {Fmt.Count((ulong)pc.Modules.Count, "module")}"));
        FirmwareFigures f = pc.Firmware;
        table.AddRow("firmware", "", Markup.Escape($"usable below 4 GiB: {Fmt.Frames(f.UsableFramesBelow4G)}; above: {Fmt.Frames(f.UsableFramesAbove4G)}"));
        PmmIntegrity integrity = pc.Pmm.CheckIntegrity();
        table.AddRow("pmm", integrity.IsOk ? "[green]ok[/]" : $"[red]{Markup.Escape(MachineReport.Integrity(integrity))}[/]",
            Markup.Escape($"free low {Fmt.Frames(s.FreeFramesLow)}, free high {Fmt.Frames(s.FreeFramesHigh)}, {Fmt.Count(s.UsedFrames, "frame")} used, {Fmt.Count(s.FreeExtents, "free extent")}; metadata {Fmt.Hex(s.MetadataBase)} +{Fmt.Bytes(s.MetadataLength)}"));
        table.AddRow("vmm", vmm.Status == VmmStatus.Ok ? "[green]ok[/]" : $"[red]{vmm.Status}[/]", Markup.Escape(VmmReport.Summary(vmm)));
        HeapStats heap = kernel.Heap.Stats();
        HeapCheck heapCheck = kernel.Heap.CheckIntegrity();
        table.AddRow("heap", heapCheck.IsOk ? "[green]ok[/]" : $"[red]{heapCheck.Status} at {Fmt.Hex(heapCheck.Address)}[/]",
            Markup.Escape($"{Fmt.Hex(heap.Start)} +{Fmt.Bytes(heap.SizeBytes)}: {heap.UsedBytes:N0} bytes used in {Fmt.Count(heap.Blocks, "block")}, largest free {Fmt.Bytes(heap.LargestFree)}, {Fmt.Count(heap.Segments, "segment")}"));
        t.Write(table);
    }
}
