using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using MioOS.Memory.Boot;

namespace MioOS.Memory.Hosting.Boot;

/// <summary>A memory-map text file that could not be read: names the file, the line and what was wrong.</summary>
public sealed class MemoryMapFormatException(string source, int line, string problem)
    : Exception($"{source}:{line}: {problem}")
{
    /// <summary>The file (or other source name).</summary>
    public string FileName { get; } = source;

    /// <summary>The 1-based line number.</summary>
    public int Line { get; } = line;
}

/// <summary>
/// Reads firmware memory maps as Linux prints them: the e820 text of <c>data/memmaps</c>
/// (<c>0xSTART 0xEND-inclusive type</c>) and raw <c>dmesg</c> lines (<c>BIOS-e820: [mem 0x...-0x...] usable</c>).
/// Returns the raw entries in file order, with raw type numbers (nothing sorted or fixed).
/// </summary>
public static partial class MemoryMapText
{
    /// <summary>Reads a file.</summary>
    public static List<MemoryMapEntry> ReadFile(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"memory map file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses text; <paramref name="source"/> names it in errors.</summary>
    public static List<MemoryMapEntry> Parse(string text, string source = "memory map")
    {
        var entries = new List<MemoryMapEntry>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            Match dmesg = DmesgLine().Match(line);
            Match plain = PlainLine().Match(line);
            Match m = dmesg.Success ? dmesg : plain;
            if (!m.Success)
            {
                if (line.Contains("BIOS-", StringComparison.Ordinal) && !line.Contains("e820", StringComparison.Ordinal))
                    continue; // other BIOS-* lines of a pasted dmesg
                throw new MemoryMapFormatException(source, i + 1, $"not a memory-map line: \"{Shorten(line)}\" (expected \"0xSTART 0xEND type\" or \"BIOS-e820: [mem 0xSTART-0xEND] type\")");
            }
            ulong start = ParseHex(m.Groups["start"].Value, source, i + 1);
            ulong last = ParseHex(m.Groups["end"].Value, source, i + 1);
            if (last < start)
                throw new MemoryMapFormatException(source, i + 1, $"range end 0x{last:X} lies before its start 0x{start:X}");
            uint type = ParseType(m.Groups["type"].Value.Trim(), source, i + 1);
            ulong length = last - start + 1; // 0 only for the whole 64-bit space, which wraps and is dropped
            entries.Add(new MemoryMapEntry(start, length, type));
        }
        if (entries.Count == 0)
            throw new MemoryMapFormatException(source, lines.Length, "no memory-map entries found");
        return entries;
    }

    /// <summary>The raw type number of a type word as Linux prints it.</summary>
    public static uint ParseType(string word, string source, int line)
    {
        switch (word)
        {
            case "usable": return 1;
            case "reserved": return 2;
            case "ACPI data": return 3;
            case "ACPI NVS": return 4;
            case "unusable": return 5;
            case "persistent": case "persistent (type 7)": return 7;
            case "soft reserved": return 0xEFFFFFFF;
        }
        Match n = TypeNumber().Match(word);
        if (n.Success && uint.TryParse(n.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out uint t))
            return t;
        throw new MemoryMapFormatException(source, line, $"unknown memory type \"{Shorten(word)}\" (expected usable, reserved, ACPI data, ACPI NVS, unusable, persistent, unknown-N or type N)");
    }

    private static ulong ParseHex(string digits, string source, int line)
    {
        if (!ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong v))
            throw new MemoryMapFormatException(source, line, $"address 0x{digits} does not fit in 64 bits");
        return v;
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";

    [GeneratedRegex(@"^(?:\[\s*[\d.]+\]\s*)?(?:BIOS-e820|e820|BIOS-provided physical RAM map:)?:?\s*\[mem\s+0x(?<start>[0-9a-fA-F]+)-0x(?<end>[0-9a-fA-F]+)\]\s+(?<type>.+)$")]
    private static partial Regex DmesgLine();

    [GeneratedRegex(@"^0x(?<start>[0-9a-fA-F]+)\s+0x(?<end>[0-9a-fA-F]+)\s+(?<type>\S.*)$")]
    private static partial Regex PlainLine();

    [GeneratedRegex(@"^(?:unknown-|type\s*)(\d+)$")]
    private static partial Regex TypeNumber();
}
