using MioOS.Memory.Boot;
using MioOS.Memory.Hosting;

namespace MioOS.Memory.Tests.Boot;

/// <summary>
/// The multiboot1 reader on blocks laid by hand from the spec (0.6.96, section 3.3: the info struct's offsets, its
/// flags, mmap entries of <c>u32 size, u64 base, u64 length, u32 type</c>, module entries of 16 bytes): a field is
/// read only when its flag says it is valid, every boundary of the map and the modules, and what gets reserved.
/// </summary>
public class Multiboot1FieldTests : IDisposable
{
    private const uint Info = 0x10000, Map = 0x9000, Strings = 0x11000, ModuleList = 0x12000;
    private const uint FlagMem = 1u << 0, FlagCmdline = 1u << 2, FlagMods = 1u << 3, FlagMmap = 1u << 6, FlagLoaderName = 1u << 9;
    private const ulong RamSize = 64ul << 20;
    private const uint Junk = 0xFFFF_FFF0; // an address outside memory: reading through it would be refused

    private readonly SimulatedRam _ram = new(RamSize);
    private readonly MemoryMapEntry[] _map = new MemoryMapEntry[8];
    private readonly BootModule[] _modules = new BootModule[4];
    private readonly ReservedRange[] _regions = new ReservedRange[16];

    public void Dispose() => _ram.Dispose();

    private void U32(ulong address, uint value) => _ram.Write(address, BitConverter.GetBytes(value));

    private void U64(ulong address, ulong value) => _ram.Write(address, BitConverter.GetBytes(value));

    /// <summary>The info struct with <paramref name="flags"/>; every optional field holds junk unless a test sets it.</summary>
    private void LayInfo(uint flags)
    {
        U32(Info, flags);
        U32(Info + 4, 639);             // mem_lower, KiB
        U32(Info + 8, 130_048);         // mem_upper, KiB
        U32(Info + 16, Junk);           // cmdline
        U32(Info + 20, 5);              // mods_count
        U32(Info + 24, Junk);           // mods_addr
        U32(Info + 64, Junk);           // boot_loader_name
    }

    /// <summary>mmap_length and mmap_addr for two entries (plus <paramref name="extraBytes"/>): 640 KiB and 63 MiB from 1 MiB.</summary>
    private void LayMap(uint extraBytes = 0)
    {
        U32(Map, 20); U64(Map + 4, 0); U64(Map + 12, 0x9FC00); U32(Map + 20, 1);
        U32(Map + 24, 20); U64(Map + 28, 0x100000); U64(Map + 36, RamSize - 0x100000); U32(Map + 44, 1);
        U32(Info + 44, 48 + extraBytes);
        U32(Info + 48, Map);
    }

    private BootInfoResult Parse(out BootInfo info, int mapCapacity = 8) =>
        MultibootParser.Parse(_ram.DirectWindow, MultibootParser.Multiboot1Magic, Info, _map.AsSpan(0, mapCapacity), _modules, _regions, out info);

    [Fact]
    public void Fields_whose_flag_is_clear_are_never_read()
    {
        LayInfo(FlagMmap);
        LayMap();
        BootInfoResult r = Parse(out BootInfo info);
        Assert.True(r.IsOk, r.Status.ToString());
        Assert.Equal((0ul, 0ul, 0, false), (info.CommandLine, info.LoaderName, info.ModuleCount, info.MapFromBasicMemInfo));
        Assert.Equal(2, info.MapEntryCount);
        Assert.Equal((0x100000ul, RamSize - 0x100000), (_map[1].Base, _map[1].Length));
    }

    [Fact]
    public void A_block_with_neither_a_map_nor_mem_fields_has_no_memory_map()
    {
        LayInfo(0); // no flag at all
        BootInfoResult r = Parse(out _);
        Assert.Equal((BootInfoStatus.NoMemoryMap, (ulong)Info, 0ul), (r.Status, r.Address, r.Value));
    }

    [Fact]
    public void Mem_lower_and_mem_upper_become_two_available_ranges_of_that_many_KiB()
    {
        LayInfo(FlagMem);
        BootInfoResult r = Parse(out BootInfo info);
        Assert.True(r.IsOk, r.Status.ToString());
        Assert.True(info.MapFromBasicMemInfo);
        Assert.Equal(2, info.MapEntryCount);
        Assert.Equal((0ul, 639ul * 1024, (uint)MemoryType.Available), (_map[0].Base, _map[0].Length, _map[0].Type));
        Assert.Equal((0x100000ul, 130_048ul * 1024, (uint)MemoryType.Available), (_map[1].Base, _map[1].Length, _map[1].Type));
    }

    [Fact]
    public void Mem_fields_that_do_not_fit_the_map_buffer_are_refused_where_mem_lower_is()
    {
        LayInfo(FlagMem);
        BootInfoResult r = Parse(out _, mapCapacity: 1);
        Assert.Equal((BootInfoStatus.TooManyMapEntries, Info + 4ul), (r.Status, r.Address));
    }

    [Theory]
    [InlineData(2u, 2u)]    // two bytes after the last entry: not even a size field
    [InlineData(4u, 20u)]   // a size field and nothing after it: the entry it announces runs past the end
    public void A_map_ending_inside_an_entry_is_refused_at_that_entry(uint extraBytes, ulong value)
    {
        LayInfo(FlagMmap);
        LayMap(extraBytes);
        U32(Map + 48, 20);
        BootInfoResult r = Parse(out _);
        Assert.Equal((BootInfoStatus.EntryPastEnd, (ulong)Map + 48, value), (r.Status, r.Address, r.Value));
    }

    [Fact]
    public void An_entry_whose_size_field_runs_past_mmap_length_by_4_bytes_is_refused()
    {
        LayInfo(FlagMmap);
        LayMap();
        U32(Map + 24, 24); // the second entry claims 24 + 4 bytes where 24 remain
        BootInfoResult r = Parse(out _);
        Assert.Equal((BootInfoStatus.EntryPastEnd, (ulong)Map + 24, 24ul), (r.Status, r.Address, r.Value));
    }

    /// <summary>One module entry: mod_start, mod_end (exclusive), string, reserved.</summary>
    private void LayModule(uint start, uint end)
    {
        LayInfo(FlagMmap | FlagMods);
        LayMap();
        U32(Info + 20, 1);
        U32(Info + 24, ModuleList);
        U32(ModuleList, start);
        U32(ModuleList + 4, end);
        U32(ModuleList + 8, Strings);
        _ram.Write(Strings, "m\0"u8);
    }

    [Theory]
    [InlineData(0x20000u, 0x20000u)]                                   // an empty file is still a module
    [InlineData((uint)(RamSize - 0x2000), (uint)(RamSize - 0x1000))]   // in the last frames of memory
    [InlineData((uint)(RamSize - 0x1000), (uint)RamSize)]              // ending exactly where memory does
    public void A_module_inside_memory_is_listed_and_reserved(uint start, uint end)
    {
        LayModule(start, end);
        BootInfoResult r = Parse(out BootInfo info);
        Assert.True(r.IsOk, r.Status.ToString());
        Assert.Equal(1, info.ModuleCount);
        Assert.Equal((start, end), ((uint)_modules[0].Start, (uint)_modules[0].End));
        Assert.Equal(start != end, _regions.AsSpan(0, info.RegionCount).ToArray().Contains(new ReservedRange(start, end - start, ReservedKind.Module)));
    }

    [Theory]
    [InlineData((uint)RamSize, (uint)RamSize + 0x1000)]                // wholly past the end of memory
    [InlineData((uint)(RamSize - 0x1000), (uint)RamSize + 1)]          // one byte past it
    [InlineData(0x30000u, 0x20000u)]                                   // ending before it starts
    public void A_module_outside_memory_or_ending_before_its_start_is_refused(uint start, uint end)
    {
        LayModule(start, end);
        BootInfoResult r = Parse(out _);
        Assert.Equal((BootInfoStatus.ModuleInvalid, (ulong)ModuleList, (ulong)end), (r.Status, r.Address, r.Value));
    }

    [Fact]
    public void The_command_line_is_reserved_with_its_NUL()
    {
        LayInfo(FlagMmap | FlagCmdline);
        LayMap();
        U32(Info + 16, Strings);
        _ram.Write(Strings, "abc\0"u8);
        BootInfoResult r = Parse(out BootInfo info);
        Assert.True(r.IsOk, r.Status.ToString());
        Assert.Equal((Strings, 3u), ((uint)info.CommandLine, info.CommandLineLength));
        Assert.Contains(new ReservedRange(Strings, 4, ReservedKind.CommandLine), _regions.AsSpan(0, info.RegionCount).ToArray());
    }

    [Theory]
    [InlineData(BootStrings.MaxLength, true)]
    [InlineData(BootStrings.MaxLength + 1, false)]
    public void A_command_line_of_the_longest_length_accepted_is_read_and_one_byte_more_is_refused(uint length, bool accepted)
    {
        LayInfo(FlagMmap | FlagCmdline);
        LayMap();
        U32(Info + 16, Strings);
        byte[] text = new byte[length + 1];
        text.AsSpan(0, (int)length).Fill((byte)'x');
        _ram.Write(Strings, text);
        BootInfoResult r = Parse(out BootInfo info);
        if (accepted)
            Assert.Equal((BootInfoStatus.Ok, length), (r.Status, info.CommandLineLength));
        else
            Assert.Equal((BootInfoStatus.StringUnterminated, (ulong)Strings), (r.Status, r.Address));
    }
}
