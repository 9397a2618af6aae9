using System.Globalization;
using System.Security;
using System.Text;
using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;

namespace MioOS.Memory.Hosting.Pictures;

/// <summary>
/// Draws a booted machine's physical memory as SVG: one band per range of the sanitised map (address space is
/// sparse, so ranges are stacked rather than drawn to one scale), and inside each available range what the PMM
/// made of it: free extents, live allocations and the ranges it reserved (kernel, heap, metadata, boot info).
/// </summary>
public static class PhysicalMapSvg
{
    private const int Width = 1000, BandLeft = 250, BandWidth = 600, BandHeight = 22, Gap = 8, Top = 60;

    private static readonly Dictionary<string, (string Colour, string Label)> Legend = new()
    {
        ["free"] = ("#4caf50", "free"),
        ["used"] = ("#ff9800", "allocated"),
        ["kernelImage"] = ("#3f51b5", "kernel image"),
        ["heap"] = ("#9c27b0", "kernel heap"),
        ["pmmMetadata"] = ("#795548", "PMM metadata"),
        ["bootInfo"] = ("#00bcd4", "boot info"),
        ["module"] = ("#009688", "boot module"),
        ["unmanaged"] = ("#c5e1a5", "available, not managed"),
        ["reserved"] = ("#9e9e9e", "reserved"),
        ["acpiReclaimable"] = ("#2196f3", "acpiReclaimable"),
        ["acpiNvs"] = ("#0d47a1", "acpiNvs"),
        ["badRam"] = ("#f44336", "badRam"),
    };

    /// <summary>The SVG document for <paramref name="pc"/>.</summary>
    public static string Render(SimulatedPc pc)
    {
        var pieces = Pieces(pc);
        int height = Top + pc.Map.Count * (BandHeight + Gap) + 40 + (Legend.Count / 3 + 1) * 20;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"monospace\" font-size=\"12\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"10\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Physical memory: {Esc(pc.Config.Description)}</text>\n");
        svg.Append("<text x=\"10\" y=\"44\" fill=\"#555\">one band per range of the sanitised map, each drawn to its own scale</text>\n");
        int y = Top;
        foreach (MemoryMapEntry e in pc.Map)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"10\" y=\"{y + 15}\">{Hex(e.Base)}-{Hex(e.Base + e.Length)}</text>\n");
            foreach (var (start, length, kind) in pieces.Where(p => p.Start >= e.Base && p.Start < e.Base + e.Length))
            {
                double x0 = BandLeft + BandWidth * (double)(start - e.Base) / e.Length;
                double w = Math.Max(0.5, BandWidth * (double)length / e.Length);
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x0:0.##}\" y=\"{y}\" width=\"{w:0.##}\" height=\"{BandHeight}\" fill=\"{Legend[kind].Colour}\"><title>{Legend[kind].Label}: {Hex(start)}-{Hex(start + length)} ({Boot.SizeText.Bytes(length)})</title></rect>\n");
            }
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{BandLeft}\" y=\"{y}\" width=\"{BandWidth}\" height=\"{BandHeight}\" fill=\"none\" stroke=\"#333\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{BandLeft + BandWidth + 10}\" y=\"{y + 15}\">{Boot.SizeText.Bytes(e.Length)}</text>\n");
            y += BandHeight + Gap;
        }
        y += 20;
        int column = 0;
        foreach (var (_, (colour, label)) in Legend)
        {
            int x = 10 + column * 330;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y - 11}\" width=\"14\" height=\"14\" fill=\"{colour}\"/><text x=\"{x + 20}\" y=\"{y}\">{Esc(label)}</text>\n");
            if (++column == 3)
            {
                column = 0;
                y += 20;
            }
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Every range of the map cut into what the PMM made of it.</summary>
    private static List<(ulong Start, ulong Length, string Kind)> Pieces(SimulatedPc pc)
    {
        var managed = new List<(ulong Start, ulong Length, string Kind)>();
        if (pc.PmmResult.IsOk)
        {
            foreach (FrameRegion region in new[] { FrameRegion.Low, FrameRegion.High })
            {
                ExtentCursor c = pc.Pmm.FreeExtents(region);
                while (c.Next(out var start, out uint frames))
                    managed.Add((start.Value, (ulong)frames * 4096, "free"));
            }
            ExtentCursor a = pc.Pmm.Allocations();
            while (a.Next(out var start, out uint frames))
                managed.Add((start.Value, (ulong)frames * 4096, "used"));
            for (uint i = 0; i < pc.Pmm.ReservedCount; i++)
            {
                ReservedRange r = pc.Pmm.Reserved(i);
                managed.Add((r.Base, r.Length, r.Kind == ReservedKind.Module ? "module" : r.IsBootData ? "bootInfo" : ReportNames.Of(r.Kind)));
            }
        }
        managed.Sort((x, y) => x.Start.CompareTo(y.Start));
        var pieces = new List<(ulong, ulong, string)>();
        foreach (MemoryMapEntry e in pc.Map)
        {
            if (e.Kind != MemoryType.Available)
            {
                pieces.Add((e.Base, e.Length, ReportNames.Of(e.Kind)));
                continue;
            }
            ulong cursor = e.Base, end = e.Base + e.Length;
            foreach (var (start, length, kind) in managed)
            {
                ulong s = Math.Max(start, e.Base), t = Math.Min(start + length, end);
                if (t <= s || t <= cursor)
                    continue;
                s = Math.Max(s, cursor);
                if (s > cursor)
                    pieces.Add((cursor, s - cursor, "unmanaged"));
                pieces.Add((s, t - s, kind));
                cursor = t;
            }
            if (cursor < end)
                pieces.Add((cursor, end - cursor, "unmanaged"));
        }
        return pieces;
    }

    private static string Hex(ulong v) => v <= uint.MaxValue ? $"0x{v:X8}" : $"0x{v:X}";

    private static string Esc(string s) => SecurityElement.Escape(s) ?? "";
}
