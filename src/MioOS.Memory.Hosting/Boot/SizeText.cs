using System;
using System.Collections.Generic;
using System.Globalization;
using MioOS.Memory.Boot;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Hosting.Boot;

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
