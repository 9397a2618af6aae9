using System.CommandLine;
using System.Linq;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Cli.Reports;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;
using Spectre.Console;

namespace MioOS.Memory.Cli.Commands;

/// <summary>
/// <c>mioos-mm pagemap</c>: boots a simulated PC with paging on and lists the kernel address space's mapped
/// ranges, merged (consecutive pages to consecutive frames with the same size and flags), from the real tables.
/// </summary>
internal static class PagemapCommand
{
    public static Command Create(Terminal t)
    {
        var machine = new MachineOptions();
        var paging = new PagingOptions();
        var command = new Command("pagemap", "Boot with paging on and list the mapped ranges of the kernel's address space, merged, with flags and page sizes").With(
        [
            "mioos-mm pagemap                   # what EnablePaging identity-maps on the default machine",
            "mioos-mm pagemap -m 5G --cpu max   # the PMM metadata in 4 MiB pages",
            "mioos-mm pagemap --json",
        ]);
        machine.AddTo(command);
        paging.AddTo(command);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            using KernelMachine kernel = KernelMachine.Boot(machine.Resolve(result), paging.Resolve(result));
            PagingMachine m = kernel.Paging;
            var ranges = m.PageMap();
            if (machine.WantsJson(result))
            {
                var json = new JsonObject
                {
                    ["vmm"] = VmmReport.Json(m),
                    ["recursiveWindow"] = new JsonObject { ["base"] = PagingLayout.TablesBase, ["length"] = Frames.LargeSize },
                    ["ranges"] = new JsonArray(ranges.Select(r => (JsonNode)new JsonObject
                    {
                        ["virtual"] = r.Virtual,
                        ["physical"] = r.Physical,
                        ["length"] = r.Length,
                        ["pageSize"] = VmmReport.SizeName(r.Size),
                        ["flags"] = new JsonArray(VmmReport.FlagNames(r.Flags).Select(n => (JsonNode)n).ToArray()),
                    }).ToArray()),
                };
                JsonOutput.Write(json, t.Out);
                return ExitCodes.Ok;
            }
            t.Markup(Markup.Escape(VmmReport.Summary(m)));
            var table = Fmt.NewTable("virtual", "physical", "size", "pages", "flags");
            foreach (MappedRange r in ranges)
                table.AddRow($"{Fmt.Hex(r.Virtual)}-{Fmt.Hex(r.Virtual + r.Length - 1)}", Fmt.Hex(r.Physical), Fmt.Bytes(r.Length),
                    $"{r.Length / (r.Size == PageSize.Size4MiB ? Frames.LargeSize : Frames.Size):N0} x {VmmReport.SizeName(r.Size)}",
                    VmmReport.FlagLetters(r.Flags));
            table.AddRow($"{Fmt.Hex(PagingLayout.TablesBase)}-{Fmt.Hex(0xFFFFFFFF)}", "(tables)", Fmt.Bytes(Frames.LargeSize), "recursive", "P W");
            t.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
