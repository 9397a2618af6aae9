using System;
using System.CommandLine;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli.Io;
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
    public static Command Create(Terminal t)
    {
        var machine = new MachineOptions();
        var paging = new PagingOptions();
        var addresses = new Argument<string[]>("ADDR") { Description = "linear addresses (0x hex or decimal)", Arity = ArgumentArity.OneOrMore };
        var write = new Option<bool>("--write") { Description = "check a write access (default: read)" };
        var user = new Option<bool>("--user") { Description = "check a user-mode access (default: supervisor)" };
        var command = new Command("translate", "Walk linear addresses through the simulated MMU after boot: physical address, page size, flags, or the #PF").With(
        [
            "mioos-mm translate 0xB8000 0x200010       # VGA text memory and the heap: identity-mapped",
            "mioos-mm translate 0x40000000 --write     # not mapped: the #PF with CR2 and its error code",
            "mioos-mm translate 0x100000 --user --json # a user access to a kernel page: a protection fault",
        ]);
        command.Add(addresses);
        command.Add(write);
        command.Add(user);
        machine.AddTo(command);
        paging.AddTo(command);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            uint[] linear = result.GetValue(addresses)!.Select(ParseAddress).ToArray();
            using KernelMachine kernel = KernelMachine.Boot(machine.Resolve(result), paging.Resolve(result));
            PagingMachine m = kernel.Paging;
            AccessKind kind = result.GetValue(write) ? AccessKind.Write : AccessKind.Read;
            bool isUser = result.GetValue(user);
            if (machine.WantsJson(result))
            {
                var json = new JsonObject
                {
                    ["cpu"] = m.Cpu.Model.Name,
                    ["access"] = kind == AccessKind.Write ? "write" : "read",
                    ["mode"] = isUser ? "user" : "supervisor",
                    ["translations"] = new JsonArray(linear.Select(a => (JsonNode)Json(m, a, kind, isUser)).ToArray()),
                };
                JsonOutput.Write(json, t.Out);
                return ExitCodes.Ok;
            }
            t.Write(Table(m, linear, kind, isUser));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The walk of each address: directory and table index, the raw entries read, and the answer.</summary>
    public static Table Table(PagingMachine m, IEnumerable<uint> linear, AccessKind kind, bool isUser)
    {
        var table = Fmt.NewTable("linear", "directory entry", "table entry", "physical / fault", "page", "flags");
        foreach (uint a in linear)
        {
            uint di = a >> 22, ti = (a >> 12) & 0x3FF;
            PageDirectoryEntry pde = m.Vmm.ReadDirectoryEntry(di);
            string pteText = !pde.IsPresent ? "(not read)" : pde.IsLargePage ? "(4 MiB page)" : $"PTE[[{ti}]] = {Fmt.Hex(m.Vmm.ReadTableEntry(di, ti).Value)}";
            string pdeText = $"PDE[[{di}]] = {Fmt.Hex(pde.Value)}";
            Translation w = m.Cpu.Walk(a, kind, isUser);
            if (w.IsFault)
                table.AddRow(Fmt.Hex(a), pdeText, pteText, $"[red]#PF {Markup.Escape(VmmReport.FaultShort(w.Fault))}[/]", "-", "-");
            else
                table.AddRow(Fmt.Hex(a), pdeText, pteText, Fmt.Hex(w.Physical.Value), VmmReport.SizeName(w.Size), VmmReport.FlagLetters(w.Flags));
        }
        return table;
    }

    /// <summary>The walk of <paramref name="address"/> as JSON: the directory and table index, the raw entries read,
    /// and the physical address, page size and flags, or the fault.</summary>
    public static JsonObject Json(PagingMachine m, uint address, AccessKind kind, bool user)
    {
        Translation t = m.Cpu.Walk(address, kind, user);
        PageDirectoryEntry pde = m.Vmm.ReadDirectoryEntry(address >> 22);
        var o = new JsonObject
        {
            ["linear"] = address,
            ["mapped"] = !t.IsFault,
            ["directoryIndex"] = address >> 22,
            ["pde"] = pde.Value,
        };
        if (pde.IsPresent && !pde.IsLargePage)
        {
            o["tableIndex"] = (address >> 12) & 0x3FF;
            o["pte"] = m.Vmm.ReadTableEntry(address >> 22, (address >> 12) & 0x3FF).Value;
        }
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
            throw new UsageException($"'{text}' is not an address (0x hex or decimal)");
        if (value > uint.MaxValue)
            throw new UsageException($"{text}: linear addresses are 32-bit under 32-bit paging (at most 0xFFFFFFFF)");
        return (uint)value;
    }
}
