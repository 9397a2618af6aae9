using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Boot;
using Spectre.Console;

namespace MioOS.Memory.Cli.Reports;

/// <summary>Formatting helpers for human output.</summary>
internal static class Fmt
{
    public static string Hex(ulong v) => v <= uint.MaxValue ? $"0x{v:X8}" : $"0x{v:X}";

    public static string Bytes(ulong bytes) => SizeText.Bytes(bytes);

    public static string Frames(ulong frames) => $"{frames:N0} frames ({Bytes(frames * 4096)})";

    /// <summary>A bar of <paramref name="width"/> cells, the used share filled.</summary>
    public static string Bar(ulong used, ulong total, int width = 40)
    {
        int filled = total == 0 ? 0 : (int)System.Math.Round(width * (double)used / total);
        double pct = total == 0 ? 0 : 100.0 * used / total;
        return $"[[[yellow]{new string('#', filled)}[/]{new string('.', width - filled)}]] {pct:0.0}% used";
    }

    public static void Error(string message) => System.Console.Error.WriteLine($"mioos-mm: error: {message}");

    public static string TypeName(MioOS.Memory.Boot.MemoryType t) => ReportNames.Of(t);

    public static Table NewTable(params string[] columns)
    {
        var t = new Table().Border(TableBorder.Rounded);
        foreach (string c in columns)
            t.AddColumn(new TableColumn(c));
        return t;
    }
}
