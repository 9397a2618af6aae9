using System.Globalization;
using System.Text.RegularExpressions;
using MioOS.Memory.Boot;

namespace MioOS.Memory.Tests.Support;

/// <summary>
/// An independent reading of a firmware memory map: which whole 4 KiB frames are usable. Elementary intervals
/// between all boundaries; the highest raw type covering an interval wins; touching usable intervals join; only
/// whole frames inside usable runs count. Written plainly, in 128-bit arithmetic so no boundary can overflow.
/// Reads e820 text files itself, or the raw entries a simulated firmware hands the loader.
/// </summary>
internal static partial class E820Reference
{
    private static readonly UInt128 FourGiB = (UInt128)1 << 32;

    /// <summary>Whole usable frames below and at or above 4 GiB.</summary>
    public static (ulong Below4G, ulong Above4G) UsableFrames(string path) => Count(UsableRuns(path));

    /// <summary>Whole usable frames below and at or above 4 GiB.</summary>
    public static (ulong Below4G, ulong Above4G) UsableFrames(IEnumerable<MemoryMapEntry> raw) => Count(UsableRuns(raw));

    /// <summary>The usable runs of an e820 text file, in address order, each [Start, End) of whole frames.</summary>
    public static List<(UInt128 Start, UInt128 End)> UsableRuns(string path)
    {
        var entries = new List<(UInt128 Start, UInt128 End, uint Type)>();
        foreach (string raw in File.ReadLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            Match m = Line().Match(line);
            Assert.True(m.Success, $"reference cannot read line: {line}");
            UInt128 start = ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            UInt128 end = (UInt128)ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) + 1;
            entries.Add((start, end, TypeOf(m.Groups[3].Value.Trim())));
        }
        return Resolve(entries);
    }

    /// <summary>The usable runs of a raw firmware map (base, length, raw type), in address order, each
    /// [Start, End) of whole frames. Empty entries say nothing; an entry running past 2^64 is dropped.</summary>
    public static List<(UInt128 Start, UInt128 End)> UsableRuns(IEnumerable<MemoryMapEntry> raw)
    {
        var entries = new List<(UInt128 Start, UInt128 End, uint Type)>();
        foreach (MemoryMapEntry e in raw)
        {
            UInt128 end = (UInt128)e.Base + e.Length;
            if (e.Length != 0 && end <= (UInt128)1 << 64)
                entries.Add((e.Base, end, e.Type));
        }
        return Resolve(entries);
    }

    private static List<(UInt128 Start, UInt128 End)> Resolve(List<(UInt128 Start, UInt128 End, uint Type)> entries)
    {
        var points = entries.SelectMany(e => new[] { e.Start, e.End }).Distinct().Order().ToList();
        var usable = new List<(UInt128 Start, UInt128 End)>();
        for (int i = 0; i + 1 < points.Count; i++)
        {
            UInt128 lo = points[i], hi = points[i + 1];
            var covering = entries.Where(e => e.Start <= lo && hi <= e.End).Select(e => e.Type).ToList();
            if (covering.Count > 0 && covering.Max() == 1)
            {
                if (usable.Count > 0 && usable[^1].End == lo)
                    usable[^1] = (usable[^1].Start, hi);
                else
                    usable.Add((lo, hi));
            }
        }
        var frames = new List<(UInt128 Start, UInt128 End)>();
        foreach (var (lo, hi) in usable)
        {
            UInt128 a = (lo + 4095) / 4096 * 4096, b = hi / 4096 * 4096;
            if (b > a)
                frames.Add((a, b));
        }
        return frames;
    }

    private static (ulong Below4G, ulong Above4G) Count(List<(UInt128 Start, UInt128 End)> runs)
    {
        ulong below = 0, above = 0;
        foreach (var (lo, hi) in runs)
        {
            below += Frames(lo, UInt128.Min(hi, FourGiB));
            above += Frames(UInt128.Max(lo, FourGiB), hi);
        }
        return (below, above);
    }

    private static ulong Frames(UInt128 lo, UInt128 hi) => hi > lo ? (ulong)((hi - lo) / 4096) : 0;

    private static uint TypeOf(string t) => t switch
    {
        "usable" => 1,
        "reserved" => 2,
        "ACPI data" => 3,
        "ACPI NVS" => 4,
        "unusable" => 5,
        "persistent" => 7,
        _ when t.StartsWith("unknown-", StringComparison.Ordinal) => uint.Parse(t["unknown-".Length..], CultureInfo.InvariantCulture),
        _ => throw new InvalidDataException($"reference does not know type {t}"),
    };

    [GeneratedRegex(@"^0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(.+)$")]
    private static partial Regex Line();
}
