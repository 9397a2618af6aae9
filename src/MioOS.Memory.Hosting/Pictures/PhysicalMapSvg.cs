using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;

namespace MioOS.Memory.Hosting.Pictures;

/// <summary>
/// Draws a booted machine's physical memory as SVG on one address axis, top to bottom in address order: every
/// range of the sanitised map, the holes between them (no RAM there: the VGA window, the PCI hole below 4 GiB),
/// and inside the available ranges what the PMM made of them (free extents, allocations, the kernel image, heap,
/// PMM metadata, boot info and modules). The scale is logarithmic in size with a minimum height, so a 4 KiB
/// allocation and a terabyte of RAM are both visible and in order; each piece is labelled with its hex range and size.
/// </summary>
public static class PhysicalMapSvg
{
    private const double AxisLeft = 120, BarWidth = 90, MinHeight = 18, PerDoubling = 5;

    private static readonly Dictionary<string, (string Colour, string Meaning)> Kinds = new()
    {
        ["free"] = ("#66bb6a", "free frames"),
        ["allocated"] = ("#ff9800", "allocated frames"),
        ["kernelImage"] = ("#3f51b5", "the kernel image"),
        ["heap"] = ("#9c27b0", "the kernel heap area"),
        ["pmmMetadata"] = ("#795548", "the PMM's own records"),
        ["bootInfo"] = ("#00bcd4", "boot info from the loader"),
        ["module"] = ("#009688", "a boot module"),
        ["unmanaged"] = ("#dcedc8", "available, not managed (low 1 MiB, beyond tracking)"),
        ["reserved"] = ("#9e9e9e", "firmware reserved"),
        ["acpiReclaimable"] = ("#2196f3", "ACPI tables"),
        ["acpiNvs"] = ("#0d47a1", "ACPI non-volatile storage"),
        ["badRam"] = ("#f44336", "bad RAM"),
        ["hole"] = ("white", "no RAM (a hole in the map)"),
    };

    /// <summary>The SVG document for <paramref name="pc"/>.</summary>
    public static string Render(SimulatedPc pc)
    {
        var pieces = WithHoles(pc, Pieces(pc));
        var svg = new Svg();
        svg.Text(10, 24, $"Physical memory: {pc.Config.Description}", "font-size=\"16\" font-weight=\"bold\"");
        svg.Text(10, 44, "addresses grow downwards; height grows with the log of the size (4 KiB thinnest, +5 px per doubling)", "fill=\"#555\"");
        double y = 64, top = y;
        foreach (var (start, length, kind) in pieces)
        {
            double h = Height(length);
            var (colour, meaning) = Kinds[kind];
            string range = $"{Svg.Hex(start)}-{Svg.Hex(start + length)}";
            svg.Rect(AxisLeft, y, BarWidth, h, colour, $"{kind}: {range} ({Boot.SizeText.Bytes(length)}), {meaning}",
                "#333", 0.6, kind == "hole" ? "hole" : null,
                [("key", $"{kind} {Svg.Hex(start)}"), ("start", Svg.Hex(start)), ("length", Svg.Hex(length)), ("kind", kind)]);
            if (kind == "hole")
                for (double hy = y + 6; hy < y + h; hy += 8)
                    svg.Line(AxisLeft + 4, hy, AxisLeft + BarWidth - 4, hy, "#ccc", 1, "4 4");
            svg.Line(AxisLeft - 6, y, AxisLeft, y, "#333");
            svg.Text(10, y + 4, Svg.Hex(start), "font-size=\"11\"");
            double ly = y + Math.Min(h, 30) / 2 + 4;
            svg.Text(AxisLeft + BarWidth + 12, ly, kind, kind == "hole" ? "fill=\"#777\"" : null);
            svg.Text(AxisLeft + BarWidth + 210, ly, Boot.SizeText.Bytes(length), "text-anchor=\"end\"");
            svg.Text(AxisLeft + BarWidth + 225, ly, range, "fill=\"#555\"");
            y += h;
        }
        ulong end = pieces.Count == 0 ? 0 : pieces[^1].Start + pieces[^1].Length;
        svg.Line(AxisLeft - 6, y, AxisLeft, y, "#333");
        svg.Text(10, y + 4, Svg.Hex(end), "font-size=\"11\"");
        svg.Line(AxisLeft, top, AxisLeft, y, "#333", 1.2);
        y += 30;
        var shown = Kinds.Where(k => pieces.Any(p => p.Kind == k.Key));
        y = svg.Legend(10, y, 880, shown.Select(k => (k.Value.Colour, $"{k.Key}: {k.Value.Meaning}")));
        return svg.Document(900, y);
    }

    /// <summary>How tall a piece of <paramref name="length"/> bytes is drawn.</summary>
    public static double Height(ulong length) =>
        MinHeight + PerDoubling * Math.Max(0, Math.Log2(Math.Max(1.0, length / 4096.0)));

    /// <summary>The pieces in address order with the holes between them (and below the first range) filled in.</summary>
    private static List<(ulong Start, ulong Length, string Kind)> WithHoles(SimulatedPc pc, List<(ulong Start, ulong Length, string Kind)> pieces)
    {
        var all = new List<(ulong Start, ulong Length, string Kind)>();
        ulong cursor = 0;
        foreach (var p in pieces.OrderBy(p => p.Start))
        {
            if (p.Start > cursor)
                all.Add((cursor, p.Start - cursor, "hole"));
            all.Add(p);
            cursor = Math.Max(cursor, p.Start + p.Length);
        }
        return all;
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
                managed.Add((start.Value, (ulong)frames * 4096, "allocated"));
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
}
