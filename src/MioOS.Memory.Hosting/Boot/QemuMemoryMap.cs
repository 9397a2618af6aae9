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

/// <summary>Parses sizes the way QEMU's <c>-m</c> does: a number with an optional K, M, G or T suffix (binary units).</summary>
public static class SizeText
{
    /// <summary>Parses "128M", "5G", "3500M", "1.5G", "65536" (bytes), with an optional "iB"/"B".</summary>
    public static ulong Parse(string text)
    {
        string s = text.Trim();
        if (s.EndsWith("iB", StringComparison.OrdinalIgnoreCase))
            s = s[..^2];
        else if (s.EndsWith('B') || s.EndsWith('b'))
            s = s[..^1];
        ulong unit = 1;
        if (s.Length > 0 && char.IsLetter(s[^1]))
        {
            unit = char.ToUpperInvariant(s[^1]) switch
            {
                'K' => 1ul << 10,
                'M' => 1ul << 20,
                'G' => 1ul << 30,
                'T' => 1ul << 40,
                _ => throw new FormatException($"size \"{text}\": unknown unit '{s[^1]}' (use K, M, G or T)"),
            };
            s = s[..^1];
        }
        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value) || value <= 0)
            throw new FormatException($"size \"{text}\" is not a positive number with an optional K, M, G or T suffix");
        decimal bytes = value * unit;
        if (bytes > ulong.MaxValue || bytes != decimal.Truncate(bytes))
            throw new FormatException($"size \"{text}\" is not a whole number of bytes that fits in 64 bits");
        return (ulong)bytes;
    }

    /// <summary>Formats bytes for people: "1020 KiB", "127.5 MiB", "1.5 TiB".</summary>
    public static string Bytes(ulong bytes) => bytes switch
    {
        >= 1ul << 40 => $"{bytes / (double)(1ul << 40):0.##} TiB",
        >= 1ul << 30 => $"{bytes / (double)(1ul << 30):0.##} GiB",
        >= 1ul << 20 => $"{bytes / (double)(1ul << 20):0.##} MiB",
        >= 1ul << 10 => $"{bytes / 1024.0:0.##} KiB",
        _ => $"{bytes} B",
    };

    /// <summary>Formats bytes as QEMU-style "128M", "5G", or with two decimals when not whole.</summary>
    public static string Format(ulong bytes)
    {
        string[] units = ["B", "K", "M", "G", "T"];
        int u = 0;
        double v = bytes;
        while (v >= 1024 && u < units.Length - 1)
        {
            v /= 1024;
            u++;
        }
        return v == Math.Floor(v) ? $"{v:0}{units[u]}" : $"{v:0.##}{units[u]}";
    }
}
