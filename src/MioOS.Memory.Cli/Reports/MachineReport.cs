using System.Linq;
using System.Text.Json.Nodes;
using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;

namespace MioOS.Memory.Cli.Reports;

/// <summary>The JSON objects that describe a booted simulated PC, one per layer.</summary>
internal static class MachineReport
{
    /// <summary>The machine: its description, loader, RAM size (QEMU -m; absent for a map file) and the bytes of
    /// host memory reserved to back its RAM.</summary>
    public static JsonObject Machine(SimulatedPc pc, ulong? ramBytes = null)
    {
        var o = new JsonObject
        {
            ["description"] = pc.Config.Description,
            ["protocol"] = pc.BootInfo.Protocol == BootProtocol.Multiboot1 ? "multiboot1" : "multiboot2",
        };
        if (ramBytes is not null)
            o["ramBytes"] = ramBytes;
        o["ramBacked"] = pc.Ram.Size;
        return o;
    }

    public static JsonArray MemoryMap(SimulatedPc pc) => new(pc.Map.Select(e => (JsonNode)new JsonObject
    {
        ["base"] = e.Base,
        ["length"] = e.Length,
        ["type"] = ReportNames.Of(e.Kind),
    }).ToArray());

    public static JsonObject Sanitizer(SimulatedPc pc) => new()
    {
        ["rawEntries"] = pc.RawMap.Count,
        ["entries"] = pc.SanitizeReport.Count,
        ["droppedEmpty"] = pc.SanitizeReport.DroppedEmpty,
        ["droppedWrapping"] = pc.SanitizeReport.DroppedWrapping,
        ["droppedSubFrame"] = pc.SanitizeReport.DroppedSubFrame,
    };

    public static JsonObject Firmware(SimulatedPc pc)
    {
        FirmwareFigures f = pc.Firmware;
        return new JsonObject
        {
            ["usableFramesBelow4G"] = f.UsableFramesBelow4G,
            ["usableFramesAbove4G"] = f.UsableFramesAbove4G,
        };
    }

    public static JsonObject BootInfo(SimulatedPc pc) => new()
    {
        ["protocol"] = pc.BootInfo.Protocol == BootProtocol.Multiboot1 ? "multiboot1" : "multiboot2",
        ["magic"] = pc.Handoff.Magic,
        ["address"] = pc.BootInfo.InfoAddress,
        ["length"] = pc.BootInfo.InfoLength,
        ["commandLine"] = pc.ReadString(pc.BootInfo.CommandLine, pc.BootInfo.CommandLineLength),
        ["loaderName"] = pc.ReadString(pc.BootInfo.LoaderName, pc.BootInfo.LoaderNameLength),
        ["modules"] = new JsonArray(pc.Modules.Select(m => (JsonNode)new JsonObject
        {
            ["start"] = m.Start,
            ["end"] = m.End,
            ["string"] = pc.ReadString(m.String, m.StringLength),
        }).ToArray()),
    };

    public static JsonObject Layout(SimulatedPc pc)
    {
        var o = new JsonObject
        {
            ["kernelBase"] = pc.Layout.KernelBase,
            ["kernelEnd"] = pc.Layout.KernelEnd,
            ["heapStart"] = pc.Layout.HeapStart,
            ["heapEnd"] = pc.Layout.HeapEnd,
        };
        if (pc.PmmResult.IsOk)
        {
            PmmStats s = pc.Pmm.Stats;
            o["metadataBase"] = s.MetadataBase;
            o["metadataLength"] = s.MetadataLength;
        }
        return o;
    }

    public static JsonObject Pmm(SimulatedPc pc)
    {
        PmmStats s = pc.Pmm.Stats;
        return new JsonObject
        {
            ["freeFramesLow"] = s.FreeFramesLow,
            ["freeFramesHigh"] = s.FreeFramesHigh,
            ["usedFrames"] = s.UsedFrames,
            ["freeExtents"] = s.FreeExtents,
            ["allocations"] = s.Allocations,
            ["usableFramesLow"] = s.UsableFramesLow,
            ["usableFramesHigh"] = s.UsableFramesHigh,
            ["reservedFrames"] = s.ReservedFrames,
            ["untrackedFramesHigh"] = s.UntrackedFramesHigh,
            ["installedBytes"] = s.InstalledBytes,
            ["recordCapacity"] = s.RecordCapacity,
            ["recordsInUse"] = s.RecordsInUse,
            ["failedAllocations"] = s.FailedAllocations,
            ["badFrees"] = s.BadFrees,
            ["doubleFrees"] = s.DoubleFrees,
            ["reserved"] = new JsonArray(Enumerable.Range(0, (int)pc.Pmm.ReservedCount).Select(i =>
            {
                ReservedRange r = pc.Pmm.Reserved((uint)i);
                return (JsonNode)new JsonObject { ["base"] = r.Base, ["length"] = r.Length, ["kind"] = ReportNames.Of(r.Kind) };
            }).ToArray()),
            ["integrity"] = Integrity(pc.Pmm.CheckIntegrity()),
        };
    }

    public static string Integrity(PmmIntegrity i) => i.IsOk ? "ok" : $"{i.Status} at 0x{i.Address:X}";

}
