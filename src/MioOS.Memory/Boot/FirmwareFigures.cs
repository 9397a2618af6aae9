using System;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Boot;

/// <summary>
/// What the firmware offers, read off a sanitised map before any reservation of ours: whole 4 KiB frames in
/// available ranges below and at or above 4 GiB, and the bytes of RAM it lists (every type but reserved).
/// </summary>
public readonly struct FirmwareFigures
{
    /// <summary>Whole frames in available ranges below 4 GiB.</summary>
    public readonly ulong UsableFramesBelow4G;

    /// <summary>Whole frames in available ranges at or above 4 GiB.</summary>
    public readonly ulong UsableFramesAbove4G;

    /// <summary>Bytes of every range that is not reserved (available, ACPI, NVS, bad RAM): the RAM installed.</summary>
    public readonly ulong InstalledBytes;

    /// <summary>Creates the figures.</summary>
    public FirmwareFigures(ulong usableFramesBelow4G, ulong usableFramesAbove4G, ulong installedBytes)
    {
        UsableFramesBelow4G = usableFramesBelow4G;
        UsableFramesAbove4G = usableFramesAbove4G;
        InstalledBytes = installedBytes;
    }

    /// <summary>Bytes in available ranges below 4 GiB.</summary>
    public ulong UsableBytesBelow4G => UsableFramesBelow4G << Frames.Shift;

    /// <summary>Bytes in available ranges at or above 4 GiB.</summary>
    public ulong UsableBytesAbove4G => UsableFramesAbove4G << Frames.Shift;

    /// <summary>Counts them in <paramref name="sanitisedMap"/> (available ranges there are whole frames).</summary>
    public static FirmwareFigures Of(ReadOnlySpan<MemoryMapEntry> sanitisedMap)
    {
        ulong below = 0, above = 0, installed = 0;
        for (int i = 0; i < sanitisedMap.Length; i++)
        {
            MemoryMapEntry e = sanitisedMap[i];
            if (e.Kind != MemoryType.Reserved)
                installed += e.Length;
            if (e.Kind != MemoryType.Available)
                continue;
            ulong start = e.Base, end = e.Base + e.Length;
            if (start < AddressLimits.FourGiB)
                below += ((end < AddressLimits.FourGiB ? end : AddressLimits.FourGiB) - start) >> Frames.Shift;
            if (end > AddressLimits.FourGiB)
                above += (end - (start > AddressLimits.FourGiB ? start : AddressLimits.FourGiB)) >> Frames.Shift;
        }
        return new FirmwareFigures(below, above, installed);
    }
}
