using System.IO.Compression;
using System.Text;
using MioOS.Memory.Hosting.Traces;

namespace MioOS.Memory.Fuzz.Targets;

/// <summary>
/// The allocation-trace parser through <see cref="TraceParser.Parse(Stream, string)"/> (plain text, or gzip by its
/// magic bytes). Its documented answer for a bad trace is <see cref="TraceFormatException"/>; anything else it
/// throws is a finding, and so is an accepted trace that breaks the format's own rules (block IDs dense in order of
/// first appearance, frees and reallocs only of live blocks, alignments powers of two).
/// </summary>
public sealed class TraceTarget : FuzzTarget
{
    /// <summary>Lines of each real trace taken for a seed.</summary>
    public const int SeedLines = 48;

    public override string Name => "trace";

    public override string Description => "allocation trace (text or gzip) -> TraceParser.Parse";

    public override IReadOnlyList<(string Assembly, string[] Prefixes)> Instrument { get; } =
        [("MioOS.Memory.Hosting.dll", ["MioOS.Memory.Hosting.Traces.TraceParser"])];

    public override void Run(ReadOnlySpan<byte> input)
    {
        TraceEvent[] events;
        try
        {
            events = TraceParser.Parse(new MemoryStream(input.ToArray()), "fuzz");
        }
        catch (TraceFormatException)
        {
            return;
        }
        CheckAccepted(events);
    }

    private static void CheckAccepted(TraceEvent[] events)
    {
        var live = new List<bool>();
        for (int i = 0; i < events.Length; i++)
        {
            TraceEvent e = events[i];
            if (e.Kind == TraceEventKind.Free)
            {
                if (e.Id < 0 || e.Id >= live.Count || !live[e.Id])
                    throw new FuzzFinding($"event {i} frees block {e.Id}, which is not live");
                live[e.Id] = false;
                continue;
            }
            if (e.Kind == TraceEventKind.Realloc && e.OldId >= 0)
            {
                if (e.OldId >= live.Count || !live[e.OldId])
                    throw new FuzzFinding($"event {i} reallocs block {e.OldId}, which is not live");
                live[e.OldId] = false;
            }
            if (e.Id != live.Count)
                throw new FuzzFinding($"event {i} creates block {e.Id}, expected {live.Count}");
            if (e.Kind == TraceEventKind.Aligned && (e.Extra == 0 || (e.Extra & (e.Extra - 1)) != 0))
                throw new FuzzFinding($"event {i} has alignment {e.Extra}");
            live.Add(true);
        }
    }

    /// <summary>The first <see cref="SeedLines"/> lines of each real trace, and one short prefix gzip'd (the other path in).</summary>
    public override IEnumerable<(string Name, byte[] Bytes)> Seeds(string dataRoot)
    {
        string[] files = Directory.GetFiles(Path.Combine(dataRoot, "traces"), "*.trace.gz").Order(StringComparer.Ordinal).ToArray();
        foreach (string file in files)
            yield return (Path.GetFileName(file)[..^".gz".Length], Prefix(file, SeedLines));
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.SmallestSize, leaveOpen: true))
            z.Write(Prefix(files[0], 8));
        yield return (Path.GetFileName(files[0]), gz.ToArray());
    }

    /// <summary>The first <paramref name="lines"/> lines of a gzip'd trace.</summary>
    private static byte[] Prefix(string file, int lines)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(file), CompressionMode.Decompress), Encoding.ASCII);
        var text = new StringBuilder();
        for (int i = 0; i < lines && reader.ReadLine() is { } line; i++)
            text.Append(line).Append('\n');
        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
