using System.Globalization;
using System.Xml.Linq;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Cli;

/// <summary>The pictures: map, heapmap and pagetables, read back as SVG.</summary>
public class MapCommandTests
{
    private static XDocument Draw(params string[] args)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mioos-pic-{Guid.NewGuid():N}.svg");
        try
        {
            var r = Support.Cli.Run([.. args, "-o", path]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            return XDocument.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The rects that carry a title, in document order: (title, y, height).</summary>
    private static List<(string Title, double Y, double Height)> Pieces(XDocument svg) =>
        svg.Descendants().Where(e => e.Name.LocalName == "rect" && e.Elements().Any(c => c.Name.LocalName == "title"))
            .Select(e => (e.Elements().First().Value, double.Parse((string)e.Attribute("y")!, CultureInfo.InvariantCulture), double.Parse((string)e.Attribute("height")!, CultureInfo.InvariantCulture)))
            .ToList();

    [Fact]
    public void Map_draws_one_address_axis_in_order_with_holes_allocations_and_every_piece_visible()
    {
        var pieces = Pieces(Draw("map", "--memmap", TestData.MemoryMap("12-supermicro-h13dsg-epyc-1.5tib.txt")));
        Assert.Contains(pieces, p => p.Title.StartsWith("heap: 0x00200000-0x00500000", StringComparison.Ordinal));
        Assert.Contains(pieces, p => p.Title.StartsWith("kernelImage: 0x00100000-", StringComparison.Ordinal));
        Assert.Contains(pieces, p => p.Title.StartsWith("allocated: ", StringComparison.Ordinal)); // the VMM's directory and tables
        Assert.Contains(pieces, p => p.Title.StartsWith("hole: ", StringComparison.Ordinal));
        Assert.Contains(pieces, p => p.Title.StartsWith("acpiNvs: ", StringComparison.Ordinal));
        // One axis: each piece starts where the one before ended, addresses and y both increasing.
        ulong Start(string t) => Convert.ToUInt64(t.Split(": ")[1].Split('-')[0], 16);
        ulong End(string t) => Convert.ToUInt64(t.Split(": ")[1].Split('-')[1].Split(' ')[0], 16);
        for (int i = 1; i < pieces.Count; i++)
        {
            Assert.Equal(End(pieces[i - 1].Title), Start(pieces[i].Title));
            Assert.InRange(pieces[i].Y - (pieces[i - 1].Y + pieces[i - 1].Height), -0.02, 0.02);
        }
        Assert.All(pieces, p => Assert.True(p.Height >= 18, p.Title));
        // Larger is taller: 1 GiB of RAM is drawn taller than 4 KiB of it, but not 2^18 times taller.
        var sizes = pieces.Select(p => (Length: End(p.Title) - Start(p.Title), p.Height)).OrderBy(p => p.Length).ToList();
        Assert.True(sizes[^1].Height > sizes[0].Height && sizes[^1].Height < 20 * sizes[0].Height);
    }

    [Fact]
    public void Map_of_qemus_5G_pc_shows_the_pci_hole_below_4G()
    {
        var pieces = Pieces(Draw("map", "-m", "5G"));
        Assert.Contains(pieces, p => p.Title.StartsWith("hole: 0xC0000000-0xFFFC0000", StringComparison.Ordinal));
        Assert.Contains(pieces, p => p.Title.StartsWith("hole: 0x000A0000-0x000F0000", StringComparison.Ordinal)); // VGA and option ROMs
        Assert.Contains(pieces, p => p.Title.StartsWith("free: 0x100000000-0x180000000", StringComparison.Ordinal));
    }

    [Fact]
    public void Heapmap_after_a_trace_prefix_draws_every_block_and_marks_the_next_first_fit()
    {
        string trace = Path.Combine(AppContext.BaseDirectory, "data", "traces", "gcc-cc1-O2.trace.gz");
        var json = Support.Cli.Run("heapinfo", "--trace", trace, "--events", "3000", "--json").Json;
        var svg = Draw("heapmap", "--trace", trace, "--events", "3000", "--next", "4096");
        var blocks = Pieces(svg).Select(p => p.Title).Distinct().ToList(); // a block crossing a row is drawn twice, one title
        Assert.Equal((long)json["blocks"]!, blocks.Count(t => t.StartsWith("used: ", StringComparison.Ordinal)));
        Assert.Equal((long)json["freeBlocks"]!, blocks.Count(t => t.StartsWith("free", StringComparison.Ordinal)));
        string marked = Assert.Single(blocks, t => t.Contains("first fit of kmalloc(4096)"));
        string text = string.Concat(svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value + "\n"));
        Assert.Contains("fragmentation", text);
        Assert.Contains($"would take the free block at {marked.Split(": ")[1].Split('-')[0]}", text);
    }

    [Fact]
    public void Pagetables_draws_the_1024_directory_slots_and_a_table_on_request()
    {
        var titles = Pieces(Draw("pagetables", "--table", "0", "-m", "5G", "--cpu", "max")).Select(p => p.Title).ToList();
        Assert.Equal(1024, titles.Count(t => t.StartsWith("slot ", StringComparison.Ordinal)));
        Assert.Equal(1024, titles.Count(t => t.StartsWith("entry ", StringComparison.Ordinal)));
        Assert.Contains(titles, t => t.StartsWith("slot 1023: ", StringComparison.Ordinal) && t.Contains("recursive slot"));
        Assert.Contains(titles, t => t.StartsWith("slot 0: ", StringComparison.Ordinal) && t.Contains("kernel half") && t.Contains("page table at"));
        Assert.Contains(titles, t => t.StartsWith("slot 600: ", StringComparison.Ordinal) && t.Contains("user half") && t.Contains("empty"));
        Assert.Contains(titles, t => t.Contains("4 MiB page")); // the PMM metadata on a PSE CPU
        Assert.Contains(titles, t => t.StartsWith("entry 184: 0x000B8000 -> 0x000B8000 [writable, global", StringComparison.Ordinal));
    }
}
