using MioOS.Memory.Boot;
using MioOS.Memory.Hosting;

namespace MioOS.Memory.Tests.Boot;

/// <summary>
/// The multiboot2 reader on blocks laid by hand from the spec (section 3.6: <c>u32 total_size, u32 reserved</c>, tags
/// <c>{u32 type, u32 size}</c> at 8-byte-aligned offsets; 4 basic memory information, 3 module, 6 memory map, 0 end):
/// the smallest blocks and tags the spec allows, the basic memory tag when there is no map, and modules.
/// </summary>
public class Multiboot2TagTests : IDisposable
{
    private const uint Info = 0x10000;
    private const ulong RamSize = 64ul << 20;

    private readonly SimulatedRam _ram = new(RamSize);
    private readonly MemoryMapEntry[] _map = new MemoryMapEntry[8];
    private readonly BootModule[] _modules = new BootModule[4];
    private readonly ReservedRange[] _regions = new ReservedRange[16];
    private readonly List<byte> _block = [];

    public void Dispose() => _ram.Dispose();

    private static byte[] U32(uint v) => BitConverter.GetBytes(v);
    private static byte[] U64(ulong v) => BitConverter.GetBytes(v);

    /// <summary>Appends a tag (header and body), padded to the next 8-byte boundary.</summary>
    private void Tag(uint type, params byte[][] body)
    {
        byte[] content = body.SelectMany(b => b).ToArray();
        _block.AddRange([.. U32(type), .. U32(8 + (uint)content.Length), .. content]);
        while (_block.Count % 8 != 0)
            _block.Add(0);
    }

    private void MapTag(params (ulong Base, ulong Length)[] entries) =>
        Tag(6, [U32(24), U32(0), .. entries.Select(e => (byte[])[.. U64(e.Base), .. U64(e.Length), .. U32(1), .. U32(0)])]);

    /// <summary>Writes the header (total_size = the tags so far plus <paramref name="extra"/> bytes) and the tags.</summary>
    private BootInfoResult Parse(out BootInfo info, uint extra = 0)
    {
        _ram.Write(Info, [.. U32(8 + (uint)_block.Count + extra), .. U32(0), .. _block]);
        return MultibootParser.Parse(_ram.DirectWindow, MultibootParser.Multiboot2Magic, Info, _map, _modules, _regions, out info);
    }

    [Theory]
    [InlineData(0x10001u, 1ul)]
    [InlineData(0x10004u, 4ul)]
    [InlineData(0x10007u, 7ul)]
    public void A_misaligned_block_is_refused_with_its_distance_from_the_8_byte_boundary(uint info, ulong misalignment)
    {
        BootInfoResult r = MultibootParser.Parse(_ram.DirectWindow, MultibootParser.Multiboot2Magic, info, _map, _modules, _regions, out _);
        Assert.Equal((BootInfoStatus.InfoMisaligned, (ulong)info, misalignment), (r.Status, r.Address, r.Value));
    }

    [Fact]
    public void The_smallest_block_the_spec_allows_is_read_and_has_no_memory_map()
    {
        Tag(0); // header and end tag: 16 bytes
        BootInfoResult r = Parse(out _);
        Assert.Equal((BootInfoStatus.NoMemoryMap, (ulong)Info, 16ul), (r.Status, r.Address, r.Value));
    }

    [Fact]
    public void A_block_ending_inside_a_tag_header_is_refused_at_that_tag()
    {
        MapTag((0x100000, RamSize - 0x100000));
        uint tag = Info + 8 + (uint)_block.Count;
        BootInfoResult r = Parse(out _, extra: 4); // four bytes of a next tag's header, then the block ends
        Assert.Equal((BootInfoStatus.TagTruncated, (ulong)tag, 4ul), (r.Status, r.Address, r.Value));
    }

    [Fact]
    public void A_memory_map_tag_without_entries_is_a_map_of_none()
    {
        MapTag();
        Tag(0);
        BootInfoResult r = Parse(out BootInfo info);
        Assert.True(r.IsOk, r.Status.ToString());
        Assert.Equal((0, false), (info.MapEntryCount, info.MapFromBasicMemInfo));
    }

    [Fact]
    public void Without_a_map_the_basic_memory_tag_gives_two_available_ranges()
    {
        Tag(4, U32(639), U32(130_048)); // mem_lower, mem_upper in KiB: a tag of 16 bytes
        Tag(0);
        BootInfoResult r = Parse(out BootInfo info);
        Assert.True(r.IsOk, r.Status.ToString());
        Assert.True(info.MapFromBasicMemInfo);
        Assert.Equal(2, info.MapEntryCount);
        Assert.Equal((0ul, 639ul * 1024), (_map[0].Base, _map[0].Length));
        Assert.Equal((0x100000ul, 130_048ul * 1024), (_map[1].Base, _map[1].Length));
    }

    [Theory]
    [InlineData(8u)]
    [InlineData(12u)] // mem_lower but no mem_upper: reading it would read past the tag
    public void A_basic_memory_tag_shorter_than_16_bytes_is_refused_as_truncated(uint size)
    {
        _block.AddRange([.. U32(4), .. U32(size), .. U32(639), .. U32(130_048)]); // the header claims less than is there
        uint tag = Info + 8;
        Tag(0);
        BootInfoResult r = Parse(out _);
        Assert.Equal((BootInfoStatus.TagTruncated, (ulong)tag, (ulong)size), (r.Status, r.Address, r.Value));
    }

    [Fact]
    public void A_basic_memory_tag_longer_than_16_bytes_is_read_as_one()
    {
        Tag(4, U32(639), U32(130_048), U64(0)); // 24 bytes: the spec's 16 and more a later loader may add
        Tag(0);
        BootInfoResult r = Parse(out BootInfo info);
        Assert.True(r.IsOk, r.Status.ToString());
        Assert.Equal((2, 130_048ul * 1024), (info.MapEntryCount, _map[1].Length));
    }

    [Fact]
    public void A_map_wins_over_the_basic_memory_tag()
    {
        Tag(4, U32(639), U32(130_048));
        MapTag((0x100000, 0x300000));
        Tag(0);
        BootInfoResult r = Parse(out BootInfo info);
        Assert.True(r.IsOk, r.Status.ToString());
        Assert.False(info.MapFromBasicMemInfo);
        Assert.Equal((1, 0x300000ul), (info.MapEntryCount, _map[0].Length));
    }

    private void ModuleTag(uint start, uint end, string text, bool terminated = true)
    {
        MapTag((0x100000, RamSize - 0x100000));
        byte[] s = System.Text.Encoding.ASCII.GetBytes(text);
        Tag(3, U32(start), U32(end), terminated ? [.. s, 0] : s);
        Tag(0);
    }

    private uint ModuleTagAddress => Info + 8 + 16 + 24; // after the header and the one-entry map tag

    [Theory]
    [InlineData(0x20000u, 0x20000u)]                                   // an empty file is still a module
    [InlineData((uint)(RamSize - 0x2000), (uint)(RamSize - 0x1000))]   // in the last frames of memory
    [InlineData((uint)(RamSize - 0x1000), (uint)RamSize)]              // ending exactly where memory does
    public void A_module_inside_memory_is_listed_and_reserved(uint start, uint end)
    {
        ModuleTag(start, end, "m");
        BootInfoResult r = Parse(out BootInfo info);
        Assert.True(r.IsOk, r.Status.ToString());
        Assert.Equal(1, info.ModuleCount);
        Assert.Equal((start, end, 1u), ((uint)_modules[0].Start, (uint)_modules[0].End, _modules[0].StringLength));
        Assert.Equal(start != end, _regions.AsSpan(0, info.RegionCount).ToArray().Contains(new ReservedRange(start, end - start, ReservedKind.Module)));
    }

    [Theory]
    [InlineData((uint)RamSize, (uint)RamSize + 0x1000)]
    [InlineData((uint)(RamSize - 0x1000), (uint)RamSize + 1)]
    [InlineData(0x30000u, 0x20000u)]
    public void A_module_outside_memory_or_ending_before_its_start_is_refused(uint start, uint end)
    {
        ModuleTag(start, end, "m");
        BootInfoResult r = Parse(out _);
        Assert.Equal((BootInfoStatus.ModuleInvalid, (ulong)ModuleTagAddress, (ulong)end), (r.Status, r.Address, r.Value));
    }

    [Fact]
    public void A_module_whose_string_runs_to_the_end_of_its_tag_is_refused_and_not_listed()
    {
        ModuleTag(0x20000, 0x21000, "abcdefg", terminated: false); // 7 bytes: the tag ends on its 8-byte boundary
        BootInfoResult r = Parse(out BootInfo info);
        Assert.Equal((BootInfoStatus.StringUnterminated, (ulong)ModuleTagAddress), (r.Status, r.Address));
        Assert.Equal(0, info.ModuleCount);
    }
}
