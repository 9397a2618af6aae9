using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace MioOS.Memory.Hosting.Malloc;

/// <summary>
/// The line <c>MIOOS_MALLOC_STATS=1</c> makes the library print on stderr at exit, parsed: calls per function, peak
/// heap and requested bytes, segments, refused calls. One per process that ran with the library.
/// </summary>
public sealed partial record MallocStatsLine(
    int Pid,
    IReadOnlyDictionary<string, long> Calls,
    long PeakHeapBytes,
    long PeakRequestedBytes,
    long PeakCommittedBytes,
    long Segments,
    long Grown,
    long Released,
    long Refused)
{
    /// <summary>Every line the library starts with.</summary>
    public const string Prefix = "mioos_malloc: ";

    [GeneratedRegex(@"^mioos_malloc: pid (\d+):((?: [a-z_]+ \d+)+); peak heap (\d+) bytes, peak requested (\d+) bytes, peak committed (\d+) bytes; segments (\d+) \(grown (\d+), released (\d+)\); refused (\d+)$")]
    private static partial Regex Shape();

    /// <summary>Calls of every function, summed.</summary>
    public long TotalCalls => Calls.Values.Sum();

    /// <summary>The line parsed, or null when <paramref name="line"/> is not a statistics line.</summary>
    public static MallocStatsLine? Parse(string line)
    {
        Match m = Shape().Match(line);
        if (!m.Success)
            return null;
        string[] words = m.Groups[2].Value.Trim().Split(' ');
        var calls = new Dictionary<string, long>();
        for (int i = 0; i + 1 < words.Length; i += 2)
            calls[words[i]] = long.Parse(words[i + 1], CultureInfo.InvariantCulture);
        long N(int g) => long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        return new MallocStatsLine((int)N(1), calls, N(3), N(4), N(5), N(6), N(7), N(8), N(9));
    }

    /// <summary>Every statistics line in <paramref name="stderr"/>.</summary>
    public static List<MallocStatsLine> All(string stderr) =>
        stderr.Split('\n').Select(l => Parse(l.TrimEnd('\r'))).Where(s => s is not null).Select(s => s!).ToList();

    /// <summary><paramref name="stderr"/> without the library's lines (what the program itself wrote).</summary>
    public static string WithoutLibraryLines(string stderr) =>
        string.Join('\n', stderr.Split('\n').Where(l => !l.StartsWith(Prefix, System.StringComparison.Ordinal)));
}
