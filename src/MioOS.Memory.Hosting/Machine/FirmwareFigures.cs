using System.Collections.Generic;
using MioOS.Memory.Boot;

namespace MioOS.Memory.Hosting.Machine;

/// <summary>Whole 4 KiB frames inside available ranges of a sanitised map, below and at or above 4 GiB, before
/// any reservation of ours: what the firmware offers; and the bytes of RAM it lists (every type but reserved).</summary>
public readonly record struct FirmwareFigures(ulong UsableFramesBelow4G, ulong UsableFramesAbove4G, ulong InstalledBytes)
{
    /// <summary>Counts them.</summary>
    public static FirmwareFigures From(IReadOnlyList<MemoryMapEntry> sanitisedMap)
    {
        const ulong fourGiB = 1ul << 32;
        ulong below = 0, above = 0, installed = 0;
        foreach (MemoryMapEntry e in sanitisedMap)
        {
            if (e.Kind != MemoryType.Reserved)
                installed += e.Length;
            if (e.Kind != MemoryType.Available)
                continue;
            ulong start = e.Base, end = e.Base + e.Length; // the sanitiser left available ranges whole frames
            if (start < fourGiB)
                below += ((end < fourGiB ? end : fourGiB) - start) >> 12;
            if (end > fourGiB)
                above += (end - (start > fourGiB ? start : fourGiB)) >> 12;
        }
        return new FirmwareFigures(below, above, installed);
    }
}
