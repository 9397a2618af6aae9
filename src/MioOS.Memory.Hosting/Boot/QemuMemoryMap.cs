using System;
using System.Collections.Generic;
using System.Globalization;
using MioOS.Memory.Boot;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Hosting.Boot;

/// <summary>
/// The e820 map SeaBIOS gives on QEMU's default PC (i440FX) for a RAM size, as captured in
/// <c>data/bootinfo</c>: below 3.5 GiB all RAM sits below 4 GiB; from 3.5 GiB up, 3 GiB sit below and the rest
/// starts at 4 GiB. The last 128 KiB below 4 GiB hold the ACPI tables (type 2), and the EBDA, the BIOS ROM and
/// the high BIOS flash are reserved.
/// </summary>
public static class QemuMemoryMap
{
    /// <summary>The RAM size of the built-in default machine (<c>qemu-system-i386 -m 128M</c>).</summary>
    public const ulong DefaultRamSize = 128ul << 20;

    private const ulong LowMemoryLimit = 0xE0000000;   // 3.5 GiB: from here QEMU splits RAM around the PCI hole
    private const ulong SplitBelow = 0xC0000000;       // 3 GiB stay below 4 GiB when split

    /// <summary>The map for <paramref name="ramSize"/> bytes of RAM.</summary>
    public static List<MemoryMapEntry> For(ulong ramSize)
    {
        if (ramSize < 2ul << 20)
            throw new ArgumentOutOfRangeException(nameof(ramSize), "QEMU's PC needs at least 2 MiB of RAM");
        ulong below = ramSize >= LowMemoryLimit ? SplitBelow : ramSize;
        ulong above = ramSize - below;
        var map = new List<MemoryMapEntry>
        {
            new(0x0, 0x9FC00, (uint)MemoryType.Available),
            new(0x9FC00, 0x400, (uint)MemoryType.Reserved),
            new(0xF0000, 0x10000, (uint)MemoryType.Reserved),
            new(0x100000, below - 0x100000 - 0x20000, (uint)MemoryType.Available),
            new(below - 0x20000, 0x20000, (uint)MemoryType.Reserved),
            new(0xFFFC0000, 0x40000, (uint)MemoryType.Reserved),
        };
        if (above > 0)
            map.Add(new MemoryMapEntry(AddressLimits.FourGiB, above, (uint)MemoryType.Available));
        return map;
    }
}
