using System.Text;
using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Boot;

namespace MioOS.Memory.Fuzz.Targets;

/// <summary>
/// The e820 / dmesg text reader as a map file reaches it (UTF-8 with byte-order-mark detection, as
/// <c>File.ReadAllText</c> reads it), then the core's sanitiser on what it returns. Its documented answer for bad
/// text is <see cref="MemoryMapFormatException"/> naming the line; anything else it throws is a finding, and so is
/// an empty map or a line number outside the text.
/// </summary>
public sealed class MemoryMapTextTarget : FuzzTarget
{
    public override string Name => "e820";

    public override string Description => "e820 text / dmesg lines -> MemoryMapText.Parse -> MemoryMapSanitizer";

    public override IReadOnlyList<(string Assembly, string[] Prefixes)> Instrument { get; } =
    [
        ("MioOS.Memory.Hosting.dll", ["MioOS.Memory.Hosting.Boot.MemoryMapText", "System.Text.RegularExpressions.Generated"]),
        ("MioOS.Memory.dll", ["MioOS.Memory.Boot.MemoryMapSanitizer"]),
    ];

    public override void Run(ReadOnlySpan<byte> input)
    {
        string text = new StreamReader(new MemoryStream(input.ToArray()), Encoding.UTF8, detectEncodingFromByteOrderMarks: true).ReadToEnd();
        List<MemoryMapEntry> entries;
        try
        {
            entries = MemoryMapText.Parse(text, "fuzz");
        }
        catch (MemoryMapFormatException e)
        {
            int lines = text.Split('\n').Length;
            if (e.Line < 1 || e.Line > lines)
                throw new FuzzFinding($"error names line {e.Line} of a {lines}-line text: {e.Message}");
            return;
        }
        if (entries.Count == 0)
            throw new FuzzFinding("an empty map was returned instead of refused");
        MapContract.CheckSanitised(entries.ToArray());
    }

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds(string dataRoot)
    {
        foreach (string file in Directory.GetFiles(Path.Combine(dataRoot, "memmaps"), "*.txt").Order(StringComparer.Ordinal))
            yield return (Path.GetFileName(file), File.ReadAllBytes(file));
    }
}
