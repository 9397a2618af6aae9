using System;
using MioOS.Memory.Boot;

namespace MioOS.Memory;

/// <summary>
/// The scratch the boot-info and memory-map stages write into, owned by the caller (the kernel puts it on its
/// stack; a hosted machine keeps it to report from). Only those two stages and the PMM's start read it: once the
/// PMM stage has run, the PMM holds its own copy of the map and of every reserved range, and the buffers may go.
/// </summary>
public ref struct BringUpBuffers
{
    /// <summary>The raw map as the loader gave it (the multiboot reader's output).</summary>
    public Span<MemoryMapEntry> RawMap;

    /// <summary>The sanitised map (room for twice the raw entries: an overlap can split a range in two).</summary>
    public Span<MemoryMapEntry> Map;

    /// <summary>The boot modules the loader listed.</summary>
    public Span<BootModule> Modules;

    /// <summary>Every range the loader wrote (info block, map, strings, modules), to be reserved.</summary>
    public Span<ReservedRange> Regions;

    /// <summary>Buffers over the caller's spans.</summary>
    public BringUpBuffers(Span<MemoryMapEntry> rawMap, Span<MemoryMapEntry> map, Span<BootModule> modules, Span<ReservedRange> regions)
    {
        RawMap = rawMap;
        Map = map;
        Modules = modules;
        Regions = regions;
    }
}
