using System;
using System.Globalization;

namespace MioOS.Memory.Cli.Io;

/// <summary>How the tool reads the numbers people type: memory sizes, addresses and counts.</summary>
internal static class Numbers
{
    /// <summary>QEMU's PC needs this much RAM at least (the map has 1 MiB below the kernel and a reserved top).</summary>
    public const ulong MinimumMemory = 2ul << 20;

    /// <summary>
    /// A machine's RAM as QEMU's <c>-m</c> reads it: a bare number is MiB, or a number with K, M, G or T (binary
    /// units; "MiB", "GB" and the like are accepted too). <paramref name="option"/> names the option in messages.
    /// </summary>
    public static ulong MemorySize(string text, string option)
    {
        if (!TrySize(text, 1ul << 20, out ulong bytes))
            throw new UsageException($"{option} {Quote(text)}: not a memory size; give MiB as a plain number (128) or a number with a unit (128M, 3.5G, 1T)");
        if (bytes < MinimumMemory)
            throw new UsageException($"{option} {Quote(text)}: QEMU's PC needs at least 2 MiB of RAM");
        if (bytes % 4096 != 0)
            throw new UsageException($"{option} {Quote(text)}: RAM comes in whole 4 KiB pages");
        return bytes;
    }

    /// <summary>
    /// A number as the shell reads it: decimal, 0x hex, or with a K, M or G unit (binary); at most
    /// <paramref name="max"/>. <paramref name="what"/> names the argument in messages ("kmalloc SIZE").
    /// </summary>
    public static ulong Parse(string text, string what, ulong max = ulong.MaxValue)
    {
        string s = text.Replace("_", "");
        ulong value;
        bool ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : TrySize(s, 1, out value);
        if (!ok)
        {
            bool digits = s.Length > 0 && (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? s.Length > 2 && IsHex(s.AsSpan(2)) : char.IsAsciiDigit(s[0]) && IsDigits(s));
            throw new UsageException(digits
                ? $"{what}: {Quote(text)} is too large (at most {Describe(max)})"
                : $"{what}: {Quote(text)} is not a number (decimal, 0x hex, or with K, M or G)");
        }
        if (value > max)
            throw new UsageException($"{what}: {Quote(text)} is too large (at most {Describe(max)})");
        return value;
    }

    private static string Describe(ulong max) => max switch
    {
        uint.MaxValue => "0xFFFFFFFF: a 32-bit value",
        _ => $"0x{max:X}",
    };

    private static bool IsHex(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
            if (!char.IsAsciiHexDigit(c))
                return false;
        return true;
    }

    private static bool IsDigits(string s)
    {
        foreach (char c in s)
            if (!char.IsAsciiDigit(c) && c != '.')
                return false;
        return true;
    }

    /// <summary>Parses a decimal number with an optional binary unit; a bare number counts <paramref name="bareUnit"/> bytes.</summary>
    private static bool TrySize(string text, ulong bareUnit, out ulong bytes)
    {
        bytes = 0;
        string s = text.Trim();
        if (s.EndsWith("iB", StringComparison.OrdinalIgnoreCase))
            s = s[..^2];
        else if (s.Length > 1 && char.IsLetter(s[^2]) && (s.EndsWith('B') || s.EndsWith('b')))
            s = s[..^1];
        ulong unit = bareUnit;
        if (s.Length > 0 && char.IsLetter(s[^1]))
        {
            switch (char.ToUpperInvariant(s[^1]))
            {
                case 'K': unit = 1ul << 10; break;
                case 'M': unit = 1ul << 20; break;
                case 'G': unit = 1ul << 30; break;
                case 'T': unit = 1ul << 40; break;
                case 'B': unit = 1; break;
                default: return false;
            }
            s = s[..^1];
        }
        if (s.Length == 0 || !decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
            return false;
        if (value > ulong.MaxValue) // the product below would overflow decimal itself
            return false;
        decimal total = value * unit;
        if (total > ulong.MaxValue || total != decimal.Truncate(total))
            return false;
        bytes = (ulong)total;
        return true;
    }

    private static string Quote(string text) => $"'{text}'";
}
