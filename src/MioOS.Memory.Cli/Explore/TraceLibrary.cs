using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MioOS.Memory.Hosting.Traces;

namespace MioOS.Memory.Cli.Explore;

/// <summary>
/// The traces the page can play: the files of one directory (by default the repository's <c>data/traces</c>, found
/// upwards from the current directory or from the tool), named by their file name only. A name that is not one of
/// the listed files is refused, so no request reaches a file outside the directory.
/// </summary>
internal sealed class TraceLibrary
{
    private string? _cachedName;
    private TraceEvent[]? _cached;

    private TraceLibrary(string? directory) => Directory = directory;

    /// <summary>The directory, or null when none was given or found.</summary>
    public string? Directory { get; }

    /// <summary><paramref name="given"/> (it must exist), else the first <c>data/traces</c> upwards of the working directory or the tool.</summary>
    public static TraceLibrary Find(string? given)
    {
        if (given is not null)
            return System.IO.Directory.Exists(given)
                ? new TraceLibrary(Path.GetFullPath(given))
                : throw new Io.UsageException($"--traces {given}: no such directory");
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                string candidate = Path.Combine(d.FullName, "data", "traces");
                if (System.IO.Directory.Exists(candidate))
                    return new TraceLibrary(candidate);
            }
        return new TraceLibrary(null);
    }

    /// <summary>The traces by file name with their sizes, in name order.</summary>
    public IReadOnlyList<(string Name, long Bytes)> List() =>
        Directory is null ? [] :
        new DirectoryInfo(Directory).EnumerateFiles()
            .Where(f => f.Name.EndsWith(".trace", StringComparison.Ordinal) || f.Name.EndsWith(".trace.gz", StringComparison.Ordinal))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => (f.Name, f.Length))
            .ToList();

    /// <summary>The parsed events of the trace named <paramref name="name"/> (the last one stays parsed).</summary>
    public TraceEvent[] Load(string name)
    {
        var names = List().Select(t => t.Name).ToList();
        if (!names.Contains(name, StringComparer.Ordinal))
            throw new ApiException(ApiException.BadRequest, names.Count == 0
                ? "there are no traces to play (give the directory with explore --traces DIR)"
                : $"no trace named '{Truncate(name)}'; the traces are: {string.Join(", ", names)}");
        if (_cachedName != name)
        {
            _cached = TraceParser.ParseFile(Path.Combine(Directory!, name));
            _cachedName = name;
        }
        return _cached!;
    }

    /// <summary>At most 80 characters of what a request sent, for a message.</summary>
    public static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
