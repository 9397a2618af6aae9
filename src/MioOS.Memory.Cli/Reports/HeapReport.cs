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

    /// <summary>What <c>mioos-mm boot</c> reports as <c>heap</c>:
    /// <c>{start, size, usedBytes, freeBytes, blocks, freeBlocks, largestFree, integrity}</c>.</summary>
    public static JsonObject Boot<TGrowth>(KernelHeap<TGrowth> heap) where TGrowth : struct, IHeapGrowth
    {
        HeapStats s = heap.Stats();
        HeapCheck check = heap.CheckIntegrity();
        return new JsonObject
        {
            ["start"] = s.Start,
            ["size"] = s.SizeBytes,
            ["usedBytes"] = s.UsedBytes,
            ["freeBytes"] = s.FreeBytes,
            ["blocks"] = s.Blocks,
            ["freeBlocks"] = s.FreeBlocks,
            ["largestFree"] = s.LargestFree,
            ["integrity"] = check.IsOk ? "ok" : $"{check.Status} at 0x{check.Address:X8}",
        };
    }
}
