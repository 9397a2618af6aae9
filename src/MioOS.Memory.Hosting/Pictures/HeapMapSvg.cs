using MioOS.Memory.Heap;

namespace MioOS.Memory.Hosting.Pictures;

/// <summary>
/// Draws the kernel heap as SVG: each segment in address order, cut into rows of <see cref="RowBytes"/> on one
/// linear scale, its used and free blocks, the free block the next first-fit <c>kmalloc</c> of a given size would
/// take, and the fragmentation figures.
/// </summary>
public static class HeapMapSvg
{
    /// <summary>Bytes of heap one row of the picture shows.</summary>
    public const uint RowBytes = 256 * 1024;

    private const double Left = 150, Width = 1000, RowHeight = 16, RowGap = 4;
    private const string Used = "#ff9800", Free = "#66bb6a", Next = "#d50000";

    /// <summary>The picture of <paramref name="heap"/>; <paramref name="nextRequest"/> is the size whose first fit is marked (0: none).</summary>
    public static string Render<TGrowth>(KernelHeap<TGrowth> heap, uint nextRequest, string title) where TGrowth : struct, IHeapGrowth
    {
        HeapStats s = heap.Stats();
        uint target = nextRequest == 0 ? 0 : heap.FirstFitFor(nextRequest);
        var svg = new Svg();
        svg.Text(10, 24, $"Kernel heap: {title}", "font-size=\"16\" font-weight=\"bold\"");
        svg.Text(10, 44, $"{SizeText(s.SizeBytes)} in {Plural(s.Segments, "segment")}: {SizeText(s.UsedBytes)} used in {Plural(s.Blocks, "block")}, " +
            $"{SizeText(s.FreeBytes)} free in {Plural(s.FreeBlocks, "block")}, largest free {SizeText(s.LargestFree)}", "fill=\"#333\"");
        svg.Text(10, 62, $"fragmentation {s.FragmentationPerMille / 10.0:0.0}% (1 - largest free / free); each row is {RowBytes / 1024} KiB, left to right, top to bottom", "fill=\"#555\"");
        double y = 84;
        string nextText = nextRequest == 0 ? ""
            : target == 0 ? $"kmalloc({nextRequest}) finds no free block large enough: the heap would grow"
            : $"kmalloc({nextRequest}) would take the free block at {Svg.Hex(target)} (first fit, outlined in red)";
        if (nextText.Length > 0)
        {
            svg.Text(10, y, nextText, $"fill=\"{Next}\"");
            y += 22;
        }
        for (int i = 0; heap.Segment(i, out uint start, out uint length); i++)
        {
            svg.Text(10, y + 12, $"segment {i}: {Svg.Hex(start)}-{Svg.Hex((ulong)start + length)} ({SizeText(length)})", "font-weight=\"bold\"");
            y += 20;
            uint rows = (length + RowBytes - 1) / RowBytes;
            for (uint r = 0; r < rows; r++)
            {
                ulong rowStart = start + (ulong)r * RowBytes;
                svg.Text(10, y + RowHeight - 4, Svg.Hex(rowStart), "fill=\"#555\"");
                double rowWidth = Width * Math.Min(RowBytes, length - (ulong)r * RowBytes) / RowBytes;
                svg.Rect(Left, y, rowWidth, RowHeight, "#fafafa", stroke: "#bbb", strokeWidth: 0.5);
                y += RowHeight + RowGap;
            }
            double top = y - rows * (RowHeight + RowGap);
            uint address = start;
            while (heap.Block(address, out uint size, out bool used, out bool last))
            {
                string what = used ? "used" : address == target ? $"free, first fit of kmalloc({nextRequest})" : "free";
                DrawBlock(svg, top, start, address, size, used ? Used : Free, $"{what}: {Svg.Hex(address)}-{Svg.Hex((ulong)address + size)} ({size:N0} bytes, header included)",
                    address == target, BlockData(address, size, used, address == target));
                if (last || size == 0)
                    break;
                address += size;
            }
            y += 8;
        }
        y += 10;
        y = svg.Legend(10, y, Left + Width - 10,
            [(Used, "used block"), (Free, "free block"), ("white", "first fit of the next kmalloc (red outline)")]);
        return svg.Document(Left + Width + 20, y);
    }

    /// <summary>What a block's rectangles say to a script: its address, the pointer kmalloc handed out for it, size, state.</summary>
    private static (string, string)[] BlockData(uint address, uint size, bool used, bool firstFit) =>
    [
        ("key", $"block {Svg.Hex(address)}"),
        ("block", Svg.Hex(address)),
        ("pointer", Svg.Hex((ulong)address + HeapLayout.HeaderSize)),
        ("size", size.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("state", used ? "used" : firstFit ? "free first-fit" : "free"),
    ];

    private static void DrawBlock(Svg svg, double top, uint segment, uint address, uint size, string colour, string title, bool marked, (string, string)[] data)
    {
        ulong offset = address - segment, end = offset + size;
        while (offset < end)
        {
            ulong row = offset / RowBytes, rowEnd = Math.Min(end, (row + 1) * RowBytes);
            double x = Left + Width * (offset - row * RowBytes) / RowBytes;
            double w = Math.Max(1, Width * (rowEnd - offset) / RowBytes);
            double y = top + row * (RowHeight + RowGap);
            svg.Rect(x, y, w, RowHeight, colour, title, marked ? Next : w >= 3 ? "white" : null, marked ? 2.5 : 0.6, data: data);
            offset = rowEnd;
        }
    }

    private static string SizeText(ulong bytes) => Boot.SizeText.Bytes(bytes);

    private static string Plural(ulong n, string noun) => $"{n:N0} {noun}{(n == 1 ? "" : "s")}";
}
