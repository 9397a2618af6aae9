using System.CommandLine;
using System.Text.Json.Nodes;
using MioOS.Memory.Boot;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Cli.Reports;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using Spectre.Console;

namespace MioOS.Memory.Cli.Commands;

/// <summary><c>mioos-mm meminfo</c>: MioOS's meminfo: installed, usable, used and free memory with a bar.</summary>
internal static class MeminfoCommand
{
    public static Command Create(Terminal t)
    {
        var machine = new MachineOptions();
        var verbose = new Option<bool>("-v", "--verbose") { Description = "also show where the kernel, heap, PMM metadata and boot info sit" };
        var mmap = new Option<bool>("--mmap") { Description = "also show the sanitised memory map" };
        var command = new Command("meminfo", "Show installed, usable, used and free physical memory after the PMM starts").With(
        [
            "mioos-mm meminfo                   # the default machine: QEMU's PC with 128 MiB",
            "mioos-mm meminfo -m 5G -v --mmap   # where everything sits, and the sanitised map",
            "mioos-mm meminfo --memmap data/memmaps/12-supermicro-h13dsg-epyc-1.5tib.txt --json",
        ]);
        machine.AddTo(command);
        command.Add(verbose);
        command.Add(mmap);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            ulong? ram = machine.RamBytes(result);
            using SimulatedPc pc = SimulatedPc.Start(machine.Resolve(result));
            if (machine.WantsJson(result))
            {
                var o = new JsonObject
                {
                    ["machine"] = MachineReport.Machine(pc, ram),
                    ["memoryMap"] = MachineReport.MemoryMap(pc),
                    ["firmware"] = MachineReport.Firmware(pc),
                    ["layout"] = MachineReport.Layout(pc),
                    ["pmm"] = pc.PmmResult.IsOk ? MachineReport.Pmm(pc) : null,
                };
                if (!pc.PmmResult.IsOk)
                    o["pmmError"] = BootErrorText.Describe(pc.PmmResult, pc.Layout);
                JsonOutput.Write(o, t.Out);
                return ExitCodes.Ok;
            }
            Print(t, pc, ram, result.GetValue(verbose), result.GetValue(mmap));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Print(Terminal t, SimulatedPc pc, ulong? ram, bool verbose, bool mmap)
    {
        FirmwareFigures f = pc.Firmware;
        var table = Fmt.NewTable("", "amount");
        if (ram is ulong bytes)
            table.AddRow("installed", $"{Fmt.Bytes(bytes)} (QEMU -m {SizeText.Format(bytes)})");
        table.AddRow("RAM in the map", $"{Fmt.Bytes(f.InstalledBytes)} (every range but firmware-reserved ones)");
        table.AddRow("firmware usable", Fmt.Frames(f.UsableFramesBelow4G + f.UsableFramesAbove4G));
        if (pc.PmmResult.IsOk)
        {
            PmmStats s = pc.Pmm.Stats;
            ulong usable = s.UsableFramesLow + s.UsableFramesHigh;
            table.AddRow("usable (managed)", Fmt.Frames(usable));
            table.AddRow("reserved by kernel", Fmt.Frames(s.ReservedFrames));
            if (s.UntrackedFramesHigh > 0)
                table.AddRow("high, untracked", Fmt.Frames(s.UntrackedFramesHigh));
            table.AddRow("used", Fmt.Frames(s.UsedFrames));
            table.AddRow("free (low / high)", $"{Fmt.Frames(s.FreeFramesLow)} / {Fmt.Frames(s.FreeFramesHigh)}");
            table.AddRow("", Fmt.Bar(s.UsedFrames, usable));
        }
        t.Write(table);
        if (!pc.PmmResult.IsOk)
            t.Markup($"[red]PMM not started:[/] {Markup.Escape(BootErrorText.Describe(pc.PmmResult, pc.Layout))}");
        if (verbose)
        {
            var placement = Fmt.NewTable("what", "start", "end", "size");
            void Row(string what, ulong start, ulong length) =>
                placement.AddRow(Markup.Escape(what), Fmt.Hex(start), Fmt.Hex(start + length), Fmt.Bytes(length));
            Row("kernel image", pc.Layout.KernelBase, pc.Layout.KernelEnd - pc.Layout.KernelBase);
            Row("kernel heap", pc.Layout.HeapStart, pc.Layout.HeapEnd - pc.Layout.HeapStart);
            if (pc.PmmResult.IsOk)
                Row("PMM metadata", pc.Pmm.Stats.MetadataBase, pc.Pmm.Stats.MetadataLength);
            foreach (var r in pc.BootRegions)
                Row($"boot {ReportNames.Of(r.Kind)}", r.Base, r.Length);
            t.Write(placement);
        }
        if (mmap)
        {
            var map = Fmt.NewTable("start", "end (exclusive)", "size", "type");
            foreach (var e in pc.Map)
                map.AddRow(Fmt.Hex(e.Base), Fmt.Hex(e.Base + e.Length), Fmt.Bytes(e.Length), ReportNames.Of(e.Kind));
            t.Write(map);
        }
    }
}
