using MioOS.Memory.Boot;
using MioOS.Memory.Hosting;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Boot;

/// <summary>Broken multiboot blocks: a located error, never a crash or a read outside the block.</summary>
public class MalformedBootInfoTests : IDisposable
{
    private readonly SimulatedRam _ram = new(64ul << 20);

    public void Dispose() => _ram.Dispose();

    private BootInfoResult Parse(uint magic, uint info, out List<(ulong, uint)> reads, int mapCapacity = 64)
    {
        using var recorder = new RecordingWindow(_ram);
        BootInfoResult r = MultibootParser.Parse(recorder.Window, magic, info, new MemoryMapEntry[mapCapacity], new BootModule[4], new ReservedRange[16], out _);
        reads = recorder.Accesses;
        return r;
    }

    /// <summary>Writes a GRUB-style mb2 block and returns its address and bytes.</summary>
    private (uint Info, byte[] Bytes) Mb2()
    {
        LoaderHandoff h = MultibootImageWriter.WriteMultiboot2(_ram, 0x15A000, QemuMemoryMap.For(128ul << 20), "x");
        return (h.InfoAddress, _ram.Bytes(h.InfoAddress, (int)(h.End - h.InfoAddress)).ToArray());
    }

    private void AllReadsInside(List<(ulong Address, uint Length)> reads, ulong start, ulong length)
    {
        foreach (var (a, n) in reads)
            Assert.True(a >= start && a + n <= start + length, $"read of {n} bytes at 0x{a:X} outside [0x{start:X}, +{length})");
    }

    /// <summary>Offset of the first tag of <paramref name="type"/> in an mb2 block.</summary>
    private static int FindTag(byte[] b, uint type)
    {
        for (int o = 8; o < b.Length;)
        {
            uint t = BitConverter.ToUInt32(b, o), size = BitConverter.ToUInt32(b, o + 4);
            if (t == type)
                return o;
            o = (int)((o + size + 7) & ~7u);
        }
        throw new InvalidOperationException($"no tag {type}");
    }

    [Fact]
    public void Unknown_magic_is_refused()
    {
        Assert.Equal(BootInfoStatus.UnknownMagic, Parse(0x12345678, 0x1000, out _).Status);
    }

    [Fact]
    public void Mb2_entry_size_smaller_than_24_is_refused_where_the_tag_is()
    {
        var (info, bytes) = Mb2();
        int tag = FindTag(bytes, 6);
        _ram.Write(info + (ulong)tag + 8, BitConverter.GetBytes(16u));
        BootInfoResult r = Parse(MultibootParser.Multiboot2Magic, info, out var reads);
        Assert.Equal(BootInfoStatus.EntrySizeTooSmall, r.Status);
        Assert.Equal(info + (ulong)tag, r.Address);
        Assert.Equal(16ul, r.Value);
        AllReadsInside(reads, info, (ulong)bytes.Length);
        Assert.Contains("entry size 16", BootErrorText.Describe(r));
    }

    [Fact]
    public void Mb2_tag_running_past_total_size_is_refused()
    {
        var (info, bytes) = Mb2();
        int tag = FindTag(bytes, 6);
        _ram.Write(info + (ulong)tag + 4, BitConverter.GetBytes(0x10000u));
        BootInfoResult r = Parse(MultibootParser.Multiboot2Magic, info, out var reads);
        Assert.Equal(BootInfoStatus.TagPastEnd, r.Status);
        AllReadsInside(reads, info, (ulong)bytes.Length);
    }

    [Fact]
    public void Mb2_truncated_tag_and_missing_end_tag_are_refused()
    {
        var (info, bytes) = Mb2();
        int tag = FindTag(bytes, 2);
        _ram.Write(info + (ulong)tag + 4, BitConverter.GetBytes(4u));
        Assert.Equal(BootInfoStatus.TagTruncated, Parse(MultibootParser.Multiboot2Magic, info, out _).Status);

        (info, bytes) = Mb2();
        int end = FindTag(bytes, 0);
        _ram.Write(info, BitConverter.GetBytes((uint)end)); // total_size cuts the end tag off
        BootInfoResult r = Parse(MultibootParser.Multiboot2Magic, info, out var reads);
        Assert.Equal(BootInfoStatus.NoEndTag, r.Status);
        AllReadsInside(reads, info, (ulong)end);
    }

    [Fact]
    public void Mb2_block_ending_inside_its_last_tags_padding_is_refused_without_reading_past_total_size()
    {
        // Found by fuzzing: total_size 17 ends inside the padding after a 9-byte tag; the next tag's aligned start
        // (+24) lay past the end, end - tag wrapped, and the reader read a tag header outside the block.
        const uint info = 0x15A000;
        _ram.Write(info, [17, 0, 0, 0, 0, 0, 0, 0, /* command line "" */ 1, 0, 0, 0, 9, 0, 0, 0, 0]);
        BootInfoResult r = Parse(MultibootParser.Multiboot2Magic, info, out var reads);
        Assert.Equal(BootInfoStatus.NoEndTag, r.Status);
        Assert.Equal(info + 17ul, r.Address);
        AllReadsInside(reads, info, 17);
    }

    [Fact]
    public void Mb2_map_whose_last_entry_is_cut_short_is_refused()
    {
        var (info, bytes) = Mb2();
        int tag = FindTag(bytes, 6);
        uint size = BitConverter.ToUInt32(bytes, tag + 4);
        _ram.Write(info + (ulong)tag + 4, BitConverter.GetBytes(size - 8));
        Assert.Equal(BootInfoStatus.EntryPastEnd, Parse(MultibootParser.Multiboot2Magic, info, out _).Status);
    }

    [Fact]
    public void Mb2_block_outside_memory_or_misaligned_or_tiny_is_refused()
    {
        Assert.Equal(BootInfoStatus.InfoOutsideMemory, Parse(MultibootParser.Multiboot2Magic, 0xFFFFFFF8, out _).Status);
        Assert.Equal(BootInfoStatus.InfoMisaligned, Parse(MultibootParser.Multiboot2Magic, 0x15A004, out _).Status);
        var (info, _) = Mb2();
        _ram.Write(info, BitConverter.GetBytes(12u));
        Assert.Equal(BootInfoStatus.InfoTooSmall, Parse(MultibootParser.Multiboot2Magic, info, out _).Status);
        _ram.Write(info, BitConverter.GetBytes(0x7FFFFFF0u));
        Assert.Equal(BootInfoStatus.InfoOutsideMemory, Parse(MultibootParser.Multiboot2Magic, info, out _).Status);
    }

    [Fact]
    public void Mb2_unterminated_string_is_refused_without_reading_past_its_tag()
    {
        var (info, bytes) = Mb2();
        int tag = FindTag(bytes, 1);
        uint size = BitConverter.ToUInt32(bytes, tag + 4);
        _ram.Write(info + (ulong)tag + size - 1, [(byte)'!']); // overwrite the NUL
        BootInfoResult r = Parse(MultibootParser.Multiboot2Magic, info, out var reads);
        Assert.Equal(BootInfoStatus.StringUnterminated, r.Status);
        AllReadsInside(reads, info, (ulong)bytes.Length);
    }

    [Fact]
    public void Mb2_more_entries_than_the_buffer_is_refused_not_overrun()
    {
        var (info, _) = Mb2();
        Assert.Equal(BootInfoStatus.TooManyMapEntries, Parse(MultibootParser.Multiboot2Magic, info, out _, mapCapacity: 3).Status);
    }

    [Fact]
    public void Mb1_mmap_addr_outside_memory_is_refused()
    {
        LoaderHandoff h = MultibootImageWriter.WriteMultiboot1(_ram, 0x15A000, QemuMemoryMap.For(128ul << 20));
        _ram.Write(h.InfoAddress + 48, BitConverter.GetBytes(0xF0000000u));
        BootInfoResult r = Parse(h.Magic, h.InfoAddress, out _);
        Assert.Equal(BootInfoStatus.MapOutsideMemory, r.Status);
        Assert.Equal(0xF0000000ul, r.Address);
    }

    [Fact]
    public void Mb1_entry_with_a_small_size_field_or_running_past_mmap_length_is_refused()
    {
        LoaderHandoff h = MultibootImageWriter.WriteMultiboot1(_ram, 0x15A000, QemuMemoryMap.For(128ul << 20));
        _ram.Write(0x9000 + 24, BitConverter.GetBytes(12u)); // second entry's size
        BootInfoResult r = Parse(h.Magic, h.InfoAddress, out _);
        Assert.Equal(BootInfoStatus.EntrySizeTooSmall, r.Status);
        Assert.Equal(0x9018ul, r.Address);

        h = MultibootImageWriter.WriteMultiboot1(_ram, 0x15A000, QemuMemoryMap.For(128ul << 20));
        _ram.Write(h.InfoAddress + 44, BitConverter.GetBytes(24u * 6 - 10)); // mmap_length cuts the last entry
        r = Parse(h.Magic, h.InfoAddress, out var reads);
        Assert.Equal(BootInfoStatus.EntryPastEnd, r.Status);
        foreach (var (a, n) in reads.Where(x => x.Item1 < 0x9500))
            Assert.True(a >= 0x9000 && a + n <= 0x9000 + 24 * 6 - 10, $"read at 0x{a:X} past mmap_length");
    }

    [Fact]
    public void Mb1_without_a_map_falls_back_to_mem_lower_and_mem_upper()
    {
        LoaderHandoff h = MultibootImageWriter.WriteMultiboot1(_ram, 0x15A000, QemuMemoryMap.For(128ul << 20));
        _ram.Write(h.InfoAddress, BitConverter.GetBytes(1u)); // flags: mem only
        var map = new MemoryMapEntry[4];
        BootInfoResult r = MultibootParser.Parse(_ram.DirectWindow, h.Magic, h.InfoAddress, map, new BootModule[1], new ReservedRange[4], out BootInfo info);
        Assert.True(r.IsOk);
        Assert.True(info.MapFromBasicMemInfo);
        Assert.Equal((0x100000ul, 0x7EE0000ul), (map[1].Base, map[1].Length));
    }

    [Fact]
    public void Mb1_module_whose_end_lies_before_its_start_is_refused()
    {
        LoaderHandoff h = MultibootImageWriter.WriteMultiboot1(_ram, 0x15A000, QemuMemoryMap.For(128ul << 20), modules: [new BootModuleImage([1, 2, 3], "m")]);
        _ram.Write(0x15A000 + 4, BitConverter.GetBytes(0x1000u));
        Assert.Equal(BootInfoStatus.ModuleInvalid, Parse(h.Magic, h.InfoAddress, out _).Status);
    }
}
