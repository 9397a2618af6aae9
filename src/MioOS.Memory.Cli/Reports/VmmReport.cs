using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Cli.Reports;

/// <summary>The JSON and table pieces that describe the VMM of a booted simulated PC.</summary>
internal static class VmmReport
{
    /// <summary>The <c>vmm</c> object of <c>mioos-mm boot --json</c>.</summary>
    public static JsonObject Json(PagingMachine m)
    {
        PagingCounts c = m.Vmm.Count();
        return new JsonObject
        {
            ["pagingEnabled"] = m.Cpu.PagingEnabled,
            ["pageDirectory"] = m.Vmm.KernelDirectory.Value,
            ["pageTables"] = c.PageTables,
            ["mapped4K"] = c.Mapped4K,
            ["mapped4M"] = c.Mapped4M,
            ["status"] = m.Status.ToString(),
            ["cpu"] = m.Cpu.Model.Name,
            ["largePageAddressBits"] = m.Vmm.LargePageAddressBits,
            ["cr0"] = m.Cpu.Cr0,
            ["cr3"] = m.Cpu.Cr3,
            ["cr4"] = m.Cpu.Cr4,
        };
    }

    /// <summary>One line for the human boot table.</summary>
    public static string Summary(PagingMachine m)
    {
        PagingCounts c = m.Vmm.Count();
        return $"{(m.Cpu.PagingEnabled ? "paging on" : "paging off")} ({m.Cpu.Model.Name}), directory {Fmt.Hex(m.Vmm.KernelDirectory.Value)}, " +
            $"{c.PageTables} page tables, {c.Mapped4K:N0} x 4 KiB + {c.Mapped4M} x 4 MiB mapped; CR0 {Fmt.Hex(m.Cpu.Cr0)} CR4 {Fmt.Hex(m.Cpu.Cr4)}";
    }

    /// <summary>Flag names, bit 7 read as PAT (the page-level convention).</summary>
    public static IEnumerable<string> FlagNames(PageFlags f)
    {
        if ((f & PageFlags.Present) != 0) yield return "present";
        if ((f & PageFlags.Writable) != 0) yield return "writable";
        if ((f & PageFlags.User) != 0) yield return "user";
        if ((f & PageFlags.WriteThrough) != 0) yield return "writeThrough";
        if ((f & PageFlags.CacheDisable) != 0) yield return "cacheDisable";
        if ((f & PageFlags.Accessed) != 0) yield return "accessed";
        if ((f & PageFlags.Dirty) != 0) yield return "dirty";
        if ((f & PageFlags.Pat) != 0) yield return "pat";
        if ((f & PageFlags.Global) != 0) yield return "global";
    }

    /// <summary>Short flag letters for tables: P W U T C A D PAT G.</summary>
    public static string FlagLetters(PageFlags f) =>
        string.Join(" ", FlagNames(f).Select(n => n switch
        {
            "present" => "P", "writable" => "W", "user" => "U", "writeThrough" => "PWT", "cacheDisable" => "PCD",
            "accessed" => "A", "dirty" => "D", "pat" => "PAT", _ => "G",
        }));

    public static string SizeName(PageSize s) => s switch
    {
        PageSize.Size4KiB => "4K",
        PageSize.Size4MiB => "4M",
        _ => "none",
    };

    /// <summary>A fault in a few characters: error code and its meaning, e.g. "0x2 not-present W S".</summary>
    public static string FaultShort(PageFault f)
    {
        PageFaultErrorCode e = f.ErrorCode;
        string cause = (e & PageFaultErrorCode.ReservedBit) != 0 ? "rsvd" : (e & PageFaultErrorCode.Present) != 0 ? "protection" : "not-present";
        string access = (e & PageFaultErrorCode.InstructionFetch) != 0 ? "I" : (e & PageFaultErrorCode.Write) != 0 ? "W" : "R";
        return $"0x{(uint)e:X} {cause} {access} {((e & PageFaultErrorCode.User) != 0 ? "U" : "S")}";
    }

    /// <summary>A fault as JSON: CR2, the error code and its bits.</summary>
    public static JsonObject Fault(PageFault f) => new()
    {
        ["cr2"] = f.Address,
        ["errorCode"] = (uint)f.ErrorCode,
        ["present"] = (f.ErrorCode & PageFaultErrorCode.Present) != 0,
        ["write"] = (f.ErrorCode & PageFaultErrorCode.Write) != 0,
        ["user"] = (f.ErrorCode & PageFaultErrorCode.User) != 0,
        ["reservedBit"] = (f.ErrorCode & PageFaultErrorCode.ReservedBit) != 0,
        ["instructionFetch"] = (f.ErrorCode & PageFaultErrorCode.InstructionFetch) != 0,
        ["description"] = f.ToString(),
    };
}
