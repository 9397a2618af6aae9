using MioOS.Memory.Platform;
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
        ulong below = 0, above = 0, installed = 0;
        foreach (MemoryMapEntry e in sanitisedMap)
        {
            if (e.Kind != MemoryType.Reserved)
                installed += e.Length;
            if (e.Kind != MemoryType.Available)
                continue;
            ulong start = e.Base, end = e.Base + e.Length; // the sanitiser left available ranges whole frames
            if (start < AddressLimits.FourGiB)
                below += ((end < AddressLimits.FourGiB ? end : AddressLimits.FourGiB) - start) >> 12;
            if (end > AddressLimits.FourGiB)
                above += (end - (start > AddressLimits.FourGiB ? start : AddressLimits.FourGiB)) >> 12;
        }
        return new FirmwareFigures(below, above, installed);
    }
}
