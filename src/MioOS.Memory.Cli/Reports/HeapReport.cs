using System.Text.Json.Nodes;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;
using MioOS.Memory.Hosting.Machine;

namespace MioOS.Memory.Cli.Reports;

/// <summary>The kernel heap's figures as JSON, for <c>heapinfo</c>, <c>replay</c> and <c>boot</c>.</summary>
internal static class HeapReport
{
    /// <summary>Every counter of <paramref name="s"/>.</summary>
    public static JsonObject Full(HeapStats s) => new()
    {
        ["start"] = s.Start,
        ["size"] = s.SizeBytes,
        ["usedBytes"] = s.UsedBytes,
        ["freeBytes"] = s.FreeBytes,
        ["blocks"] = s.Blocks,
        ["freeBlocks"] = s.FreeBlocks,
        ["largestFree"] = s.LargestFree,
        ["segments"] = s.Segments,
        ["fragmentationPercent"] = s.FragmentationPerMille / 10.0,
        ["inUseExtent"] = s.InUseExtent,
        ["peakInUseExtent"] = s.PeakInUseExtent,
        ["misuseReports"] = s.MisuseCount,
        ["growths"] = s.Grows,
        ["released"] = s.Releases,
    };

    /// <summary>What <c>mioos-mm boot</c> reports as <c>heap</c>: every counter (<c>start, size, usedBytes,
    /// freeBytes, blocks, freeBlocks, largestFree</c>, ...) and the integrity walk's verdict.</summary>
    public static JsonObject Boot<TGrowth>(KernelHeap<TGrowth> heap) where TGrowth : struct, IHeapGrowth
    {
        JsonObject o = Full(heap.Stats());
        HeapCheck check = heap.CheckIntegrity();
        o["integrity"] = check.IsOk ? "ok" : $"{check.Status} at 0x{check.Address:X8}";
        return o;
    }
}
