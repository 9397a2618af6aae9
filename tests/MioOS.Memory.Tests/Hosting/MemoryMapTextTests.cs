using MioOS.Memory.Hosting.Boot;

namespace MioOS.Memory.Tests.Hosting;

public class MemoryMapTextTests
{
    [Fact]
    public void Reads_the_e820_text_format_with_inclusive_ends_and_raw_types()
    {
        var map = MemoryMapText.Parse("# comment\n0x0 0x9fbff usable\n0x9fc00 0x9ffff reserved\n0x100000 0x1ffffff ACPI NVS\n0xbf790000 0xbf79dfff unknown-9\n");
        Assert.Equal(4, map.Count);
        Assert.Equal((0ul, 0x9FC00ul, 1u), (map[0].Base, map[0].Length, map[0].Type));
        Assert.Equal(4u, map[2].Type);
        Assert.Equal(9u, map[3].Type);
    }

    [Fact]
    public void Accepts_raw_dmesg_lines_with_timestamps()
    {
        var map = MemoryMapText.Parse("""
            [    0.000000] BIOS-provided physical RAM map:
            [    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
            [    0.000000] BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved
            BIOS-e820: [mem 0x0000000100000000-0x000000017fffffff] usable
            [    0.000000] BIOS-e820: [mem 0x00000000fed00000-0x00000000fed003ff] type 20
            """);
        Assert.Equal(4, map.Count);
        Assert.Equal(0x100000000ul, map[2].Base);
        Assert.Equal(0x80000000ul, map[2].Length);
        Assert.Equal(20u, map[3].Type);
    }

    [Theory]
    [InlineData("0x0 0x9fbff usable\nnot a memory map\n", 2, "not a memory-map line")]
    [InlineData("0x100 0x50 usable\n", 1, "before its start")]
    [InlineData("0x0 0xfff sparkly\n", 1, "unknown memory type")]
    [InlineData("0x0 0x1ffffffffffffffff usable\n", 1, "does not fit in 64 bits")]
    public void Garbled_lines_name_the_line_and_the_problem(string text, int line, string problem)
    {
        var e = Assert.Throws<MemoryMapFormatException>(() => MemoryMapText.Parse(text, "m.txt"));
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith($"m.txt:{line}:", e.Message);
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        Assert.Throws<MemoryMapFormatException>(() => MemoryMapText.Parse("# nothing\n"));
    }

    [Fact]
    public void Sizes_parse_like_qemu()
    {
        Assert.Equal(128ul << 20, SizeText.Parse("128M"));
        Assert.Equal(5ul << 30, SizeText.Parse("5G"));
        Assert.Equal(3500ul << 20, SizeText.Parse("3500M"));
        Assert.Equal(3ul << 29, SizeText.Parse("1.5G"));
        Assert.Equal(65536ul, SizeText.Parse("65536"));
        Assert.Throws<FormatException>(() => SizeText.Parse("lots"));
        Assert.Throws<FormatException>(() => SizeText.Parse("12Q"));
    }
}
