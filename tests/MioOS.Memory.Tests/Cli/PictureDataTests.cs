using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace MioOS.Memory.Tests.Cli;

/// <summary>
/// The pictures' data attributes, what a page reads to find and highlight a block, a slot or an extent: each must
/// say the same as the rectangle's title and the call that made it.
/// </summary>
public class PictureDataTests
{
    /// <summary>Runs <paramref name="calls"/> in the shell (JSON answers), then <paramref name="picture"/> into a file; returns answers and SVG.</summary>
    private static (List<JsonNode> Answers, XDocument Svg) After(string calls, string picture)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mioos-data-{Guid.NewGuid():N}.svg");
        try
        {
            var r = Support.Cli.RunWith($"{calls}\n{picture.Replace("FILE", path)}\n", MioOS.Memory.Cli.Io.Terminal.Unwrapped, "shell", "--json");
            Assert.True(r.ExitCode == 0, r.Stderr);
            return (r.Stdout.Trim().Split('\n').Select(l => JsonNode.Parse(l)!).ToList(), XDocument.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static List<XElement> Rects(XDocument svg, string attribute) =>
        svg.Descendants().Where(e => e.Name.LocalName == "rect" && e.Attribute("data-" + attribute) is not null).ToList();

    private static string Data(XElement e, string name) => (string)e.Attribute("data-" + name)!;

    private static ulong Hex(string s) => ulong.Parse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [Fact]
    public void A_heap_block_carries_the_pointer_kmalloc_returned_its_range_and_state()
    {
        var (answers, svg) = After("kmalloc 4096\nkmalloc 100", "heapmap FILE 64");
        var blocks = Rects(svg, "block");
        foreach (long pointer in answers.Take(2).Select(a => (long)a["pointer"]!))
        {
            XElement block = Assert.Single(blocks, b => Hex(Data(b, "pointer")) == (ulong)pointer);
            Assert.Equal("used", Data(block, "state"));
            string title = block.Elements().Single().Value;
            Assert.StartsWith($"used: {Data(block, "block")}-", title);
            ulong size = ulong.Parse(Data(block, "size"), CultureInfo.InvariantCulture);
            Assert.Contains($"({size:N0} bytes, header included)", title);
            Assert.InRange((ulong)pointer, Hex(Data(block, "block")) + 1, Hex(Data(block, "block")) + size - 1);
            Assert.Equal($"block {Data(block, "block")}", Data(block, "key"));
        }
        // A block wider than a row is drawn as a rectangle per row, each with the same data.
        XElement next = Assert.Single(blocks.Where(b => Data(b, "state") == "free first-fit").DistinctBy(b => Data(b, "block")));
        Assert.Contains("first fit of kmalloc(64)", next.Elements().Single().Value);
    }

    [Fact]
    public void A_directory_slot_carries_its_raw_entry_and_changes_with_a_4mib_page()
    {
        var (_, before) = After("heapinfo", "pagetables FILE");
        var (answers, after) = After("alloc_page_4mib 0x40000000 0x00800000", "pagetables FILE");
        Assert.True((bool)answers[0]["ok"]!);
        Assert.Equal(Enumerable.Range(0, 1024).Select(i => $"{i}"), Rects(after, "slot").Select(r => Data(r, "slot")));
        XElement was = Rects(before, "slot")[256], now = Rects(after, "slot")[256];
        Assert.Equal(("empty", 0ul), (Data(was, "kind"), Hex(Data(was, "entry"))));
        Assert.Equal("4mib-page", Data(now, "kind"));
        ulong entry = Hex(Data(now, "entry"));
        Assert.Equal(0x0080_0000ul, entry & 0xFFC0_0000); // SDM 4.3: bits 31:22 are the frame of a 4 MiB page
        Assert.Equal(0x81ul, entry & 0x81);                // PS and P
        Assert.Contains($"raw entry {Data(now, "entry")}", now.Elements().Single().Value);
        // Nothing else in the directory changed, but the recursive slot's dirty bit: the VMM wrote the new entry
        // through it, and the CPU marks a page written through a PDE acting as a PTE dirty (SDM 4.8).
        var others = (XDocument d) => Rects(d, "slot").Where(r => Data(r, "slot") is not ("256" or "1023")).Select(r => Data(r, "entry"));
        Assert.Equal(others(before), others(after));
    }

    [Fact]
    public void A_page_table_entry_carries_its_table_index_and_raw_entry()
    {
        var (_, svg) = After("heapinfo", "pagetables FILE 0");
        var entries = Rects(svg, "index");
        Assert.Equal(1024, entries.Count);
        XElement vga = entries[0xB8];
        Assert.Equal(("0", "184"), (Data(vga, "table"), Data(vga, "index")));
        Assert.Equal(0xB8000ul, Hex(Data(vga, "entry")) & 0xFFFFF000);
        Assert.Equal(0ul, Hex(Data(entries[0], "entry"))); // page 0 stays unmapped: NULL faults
    }

    [Fact]
    public void A_physical_extent_carries_the_range_and_kind_of_its_title()
    {
        var (answers, svg) = After("alloc_frame 3", "map FILE");
        var pieces = Rects(svg, "kind");
        Assert.NotEmpty(pieces);
        foreach (XElement p in pieces)
        {
            ulong start = Hex(Data(p, "start")), length = Hex(Data(p, "length"));
            Assert.StartsWith($"{Data(p, "kind")}: {Data(p, "start")}-", p.Elements().Single().Value);
            Assert.Contains($"-0x{start + length:X8}", p.Elements().Single().Value);
        }
        ulong frames = (ulong)(long)answers[0]["address"]!;
        Assert.Contains(pieces, p => Data(p, "kind") == "allocated" && Hex(Data(p, "start")) <= frames && frames + 3 * 4096 <= Hex(Data(p, "start")) + Hex(Data(p, "length")));
    }
}
