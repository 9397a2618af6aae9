using MioOS.Memory.Hosting.Boot;
using Spectre.Console;

namespace MioOS.Memory.Cli.Reports;

/// <summary>Formatting helpers for human output.</summary>
internal static class Fmt
{
    public static string Hex(ulong v) => v <= uint.MaxValue ? $"0x{v:X8}" : $"0x{v:X}";

    public static string Bytes(ulong bytes) => SizeText.Bytes(bytes);

    /// <summary>"1 frame (4 KiB)", "31,366 frames (122.52 MiB)".</summary>
    public static string Frames(ulong frames) => $"{Count(frames, "frame")} ({Bytes(frames * 4096)})";

    /// <summary>"1 block", "2 blocks", "1,000 blocks"; <paramref name="plural"/> when not noun + s.</summary>
    public static string Count(ulong n, string noun, string? plural = null) =>
        $"{n:N0} {(n == 1 ? noun : plural ?? noun + "s")}";

    /// <summary>A bar of <paramref name="width"/> cells, the used share filled.</summary>
    public static string Bar(ulong used, ulong total, int width = 40)
    {
        int filled = total == 0 ? 0 : (int)System.Math.Round(width * (double)used / total);
        double pct = total == 0 ? 0 : 100.0 * used / total;
        return $"[[[yellow]{new string('#', filled)}[/]{new string('.', width - filled)}]] {pct:0.0}% used";
    }


    public static Table NewTable(params string[] columns)
    {
        var t = new Table().Border(TableBorder.Rounded);
        foreach (string c in columns)
            t.AddColumn(new TableColumn(c));
        return t;
    }
}
