using System.Xml.Linq;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Cli;

public class MapCommandTests
{
    [Fact]
    public void Map_writes_valid_svg_with_a_band_per_range_and_the_pmm_pieces()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mioos-map-{Guid.NewGuid():N}.svg");
        try
        {
            var r = Support.Cli.Run("map", "--memmap", TestData.MemoryMap("12-supermicro-h13dsg-epyc-1.5tib.txt"), "--out", path);
            Assert.Equal(0, r.ExitCode);
            XDocument svg = XDocument.Load(path);
            var titles = svg.Descendants().Where(e => e.Name.LocalName == "title").Select(e => e.Value).ToList();
            Assert.Contains(titles, t => t.StartsWith("kernel heap: 0x00200000-0x00500000", StringComparison.Ordinal));
            Assert.Contains(titles, t => t.StartsWith("free:", StringComparison.Ordinal));
            Assert.Contains(titles, t => t.StartsWith("reserved:", StringComparison.Ordinal));
            int bands = svg.Descendants().Count(e => e.Name.LocalName == "rect" && (string?)e.Attribute("stroke") == "#333");
            Assert.Equal(38, bands);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
