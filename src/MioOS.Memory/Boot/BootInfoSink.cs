using System;
namespace MioOS.Memory.Boot;

/// <summary>Where a multiboot parser writes what it finds: the caller's spans, filled in order, never past their end.</summary>
internal ref struct BootInfoSink
{
    public Span<MemoryMapEntry> Map;
    public Span<BootModule> Modules;
    public Span<ReservedRange> Regions;
    public BootInfo Info;

    public BootInfoSink(Span<MemoryMapEntry> map, Span<BootModule> modules, Span<ReservedRange> regions)
    {
        Map = map;
        Modules = modules;
        Regions = regions;
        Info = default;
    }

    public BootInfoResult AddEntry(ulong address, ulong baseAddress, ulong length, uint type)
    {
        if (Info.MapEntryCount == Map.Length)
            return new BootInfoResult(BootInfoStatus.TooManyMapEntries, address, (ulong)Map.Length);
        Map[Info.MapEntryCount++] = new MemoryMapEntry(baseAddress, length, type);
        return BootInfoResult.Ok;
    }

    public BootInfoResult AddModule(ulong address, BootModule module)
    {
        if (Info.ModuleCount == Modules.Length)
            return new BootInfoResult(BootInfoStatus.TooManyModules, address, (ulong)Modules.Length);
        Modules[Info.ModuleCount++] = module;
        return BootInfoResult.Ok;
    }

    public BootInfoResult AddRegion(ulong baseAddress, ulong length, ReservedKind kind)
    {
        if (length == 0)
            return BootInfoResult.Ok;
        if (Info.RegionCount == Regions.Length)
            return new BootInfoResult(BootInfoStatus.TooManyRegions, baseAddress, (ulong)Regions.Length);
        Regions[Info.RegionCount++] = new ReservedRange(baseAddress, length, kind);
        return BootInfoResult.Ok;
    }

    /// <summary>
    /// The map an old loader implies with mem_lower / mem_upper only (KiB below 640 KiB, KiB from 1 MiB up to
    /// the first hole), as kernels fall back to when no memory map is given.
    /// </summary>
    public BootInfoResult AddBasicMemInfo(ulong address, uint memLowerKiB, uint memUpperKiB)
    {
        Info.MapFromBasicMemInfo = true;
        BootInfoResult r = AddEntry(address, 0, (ulong)memLowerKiB * 1024, (uint)MemoryType.Available);
        return r.IsOk ? AddEntry(address, 0x100000, (ulong)memUpperKiB * 1024, (uint)MemoryType.Available) : r;
    }
}

/// <summary>Reads NUL-terminated strings without reading past a limit.</summary>
internal static class BootStrings
{
    /// <summary>The longest string accepted outside a tag (a command line or module string).</summary>
    public const uint MaxLength = 4096;

    /// <summary>Finds the NUL of the string at <paramref name="address"/>, reading no byte at or after <paramref name="limit"/>.</summary>
    public static unsafe bool TryMeasure(in Platform.MemoryWindow window, ulong address, ulong limit, out uint length)
    {
        length = 0;
        if (limit > window.Limit)
            limit = window.Limit;
        for (ulong a = address; a < limit && a - address <= MaxLength; a++)
        {
            if (*window.Bytes(a, 1, Platform.MemoryAccess.Read) == 0)
            {
                length = (uint)(a - address);
                return true;
            }
        }
        return false;
    }
}
