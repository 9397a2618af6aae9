using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli.Reports;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;
using Spectre.Console;

namespace MioOS.Memory.Cli.Commands;

/// <summary>
/// <c>mioos-mm translate ADDR...</c>: boots a simulated PC with paging on and walks each linear address as the
/// CPU would (without touching the TLB or the A/D bits): the physical address, page size and effective flags,
/// or the page fault it would raise (CR2 and error code).
/// </summary>
internal static class TranslateCommand
{
    public static Command Create(TextWriter? output = null)
    {
        var machine = new MachineOptions();
        var paging = new PagingOptions();
        var addresses = new Argument<string[]>("address") { Description = "linear addresses (0x hex or decimal)", Arity = ArgumentArity.OneOrMore };
        var write = new Option<bool>("--write") { Description = "check a write access (default: read)" };
        var user = new Option<bool>("--user") { Description = "check a user-mode access (default: supervisor)" };
        var command = new Command("translate", "Walk linear addresses through the simulated MMU after boot: physical address, page size, flags, or the #PF");
        command.Add(addresses);
        command.Add(write);
        command.Add(user);
        machine.AddTo(command);
        paging.AddTo(command);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            uint[] linear = result.GetValue(addresses)!.Select(ParseAddress).ToArray();
            using KernelMachine kernel = KernelMachine.Boot(machine.Resolve(result), paging.Resolve(result));
            PagingMachine m = kernel.Paging;
            AccessKind kind = result.GetValue(write) ? AccessKind.Write : AccessKind.Read;
            bool isUser = result.GetValue(user);
            TextWriter writer = output ?? Console.Out;
            if (result.GetValue(machine.Json))
            {
                var json = new JsonObject
                {
                    ["cpu"] = m.Cpu.Model.Name,
                    ["access"] = kind == AccessKind.Write ? "write" : "read",
                    ["mode"] = isUser ? "user" : "supervisor",
                    ["translations"] = new JsonArray(linear.Select(a => (JsonNode)Json(m, a, kind, isUser)).ToArray()),
                };
                JsonOutput.Write(json, writer);
                return ExitCodes.Ok;
            }
            IAnsiConsole console = output is null ? AnsiConsole.Console : VmmReport.ConsoleFor(output);
            var table = Fmt.NewTable("linear", "physical / fault", "page", "flags");
            foreach (uint a in linear)
            {
                Translation t = m.Cpu.Walk(a, kind, isUser);
                if (t.IsFault)
                    table.AddRow(Fmt.Hex(a), $"[red]#PF {Markup.Escape(VmmReport.FaultShort(t.Fault))}[/]", "-", "-");
                else
                    table.AddRow(Fmt.Hex(a), Fmt.Hex(t.Physical.Value), VmmReport.SizeName(t.Size), VmmReport.FlagLetters(t.Flags));
            }
            foreach (var column in table.Columns)
                column.NoWrap();
            console.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static JsonObject Json(PagingMachine m, uint address, AccessKind kind, bool user)
    {
        Translation t = m.Cpu.Walk(address, kind, user);
        PageDirectoryEntry pde = m.Vmm.ReadDirectoryEntry(address >> 22);
        var o = new JsonObject
        {
            ["linear"] = address,
            ["mapped"] = !t.IsFault,
            ["pde"] = pde.Value,
        };
        if (pde.IsPresent && !pde.IsLargePage)
            o["pte"] = m.Vmm.ReadTableEntry(address >> 22, (address >> 12) & 0x3FF).Value;
        if (t.IsFault)
        {
            o["fault"] = VmmReport.Fault(t.Fault);
            return o;
        }
        o["physical"] = t.Physical.Value;
        o["pageSize"] = VmmReport.SizeName(t.Size);
        o["flags"] = new JsonArray(VmmReport.FlagNames(t.Flags).Select(n => (JsonNode)n).ToArray());
        return o;
    }

    /// <summary>A linear address: 0x-prefixed hex or decimal, below 4 GiB.</summary>
    public static uint ParseAddress(string text)
    {
        string s = text.Trim().Replace("_", "");
        bool ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value)
            : ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!ok)
            throw new ArgumentException($"'{text}' is not an address (0x hex or decimal)");
        if (value > uint.MaxValue)
            throw new ArgumentException($"{text}: linear addresses are 32-bit under 32-bit paging");
        return (uint)value;
    }
}
