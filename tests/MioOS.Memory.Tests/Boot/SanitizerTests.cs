using MioOS.Memory.Boot;
using static MioOS.Memory.Tests.Support.Machines;

namespace MioOS.Memory.Tests.Boot;

public class SanitizerTests
{
    private static (MemoryMapEntry[] Map, SanitizeReport Report) Run(params MemoryMapEntry[] raw)
    {
        var output = new MemoryMapEntry[2 * raw.Length + 1];
        Assert.Equal(SanitizeStatus.Ok, MemoryMapSanitizer.Sanitize(raw, output, out SanitizeReport report));
        return (output[..report.Count], report);
    }

    private static (ulong, ulong, MemoryType)[] Shape(MemoryMapEntry[] map) => map.Select(e => (e.Base, e.Length, e.Kind)).ToArray();

    [Fact]
    public void Unsorted_entries_come_out_sorted()
    {
        var (map, _) = Run(E(0x100000, 0x100000), E(0, 0x9F000), E(0x9F000, 0x1000, Reserved));
        Assert.Equal(new[] { (0ul, 0x9F000ul, MemoryType.Available), (0x9F000ul, 0x1000ul, MemoryType.Reserved), (0x100000ul, 0x100000ul, MemoryType.Available) }, Shape(map));
    }

    [Fact]
    public void Where_entries_overlap_the_higher_raw_type_wins()
    {
        // Reserved (2) punched into the middle of available (1).
        var (map, _) = Run(E(0x100000, 0x400000), E(0x200000, 0x1000, Reserved));
        Assert.Equal(new[] { (0x100000ul, 0x100000ul, MemoryType.Available), (0x200000ul, 0x1000ul, MemoryType.Reserved), (0x201000ul, 0x2FF000ul, MemoryType.Available) }, Shape(map));
    }

    [Fact]
    public void An_unknown_high_raw_type_beats_available_and_is_then_reported_reserved()
    {
        // Raw type 20 overlaps available and ACPI NVS (4): 20 wins both overlaps, and is reported as reserved.
        var (map, _) = Run(E(0x100000, 0x300000), E(0x200000, 0x200000, 20), E(0x380000, 0x100000, 4));
        Assert.Equal(new[] { (0x100000ul, 0x100000ul, MemoryType.Available), (0x200000ul, 0x200000ul, MemoryType.Reserved), (0x400000ul, 0x80000ul, MemoryType.AcpiNvs) }, Shape(map));
    }

    [Fact]
    public void Bad_ram_over_available_wins_because_5_is_higher()
    {
        var (map, _) = Run(E(0x100000, 0x100000, 5), E(0, 0x1000000));
        Assert.Contains((0x100000ul, 0x100000ul, MemoryType.BadRam), Shape(map));
    }

    [Fact]
    public void Adjacent_ranges_of_one_type_merge_before_rounding_to_frames()
    {
        // 0x1000-0x17FF plus 0x1800-0x2FFF: merged first, so two whole frames survive (rounded separately: one).
        var (map, _) = Run(E(0x1000, 0x800), E(0x1800, 0x1800));
        Assert.Equal(new[] { (0x1000ul, 0x2000ul, MemoryType.Available) }, Shape(map));
    }

    [Theory]
    // base, length -> the whole frames kept (0, 0: none)
    [InlineData(0x100000ul, 0x3000ul, 0x100000ul, 0x3000ul)] // already whole frames
    [InlineData(0x100001ul, 0x3000ul, 0x101000ul, 0x2000ul)] // one byte past a boundary: that frame is partial
    [InlineData(0x100FFFul, 0x2001ul, 0x101000ul, 0x2000ul)] // one byte before the next boundary
    [InlineData(0x100000ul, 0x2FFFul, 0x100000ul, 0x2000ul)] // ends one byte short of a boundary
    [InlineData(0x100000ul, 0x3001ul, 0x100000ul, 0x3000ul)] // ends one byte past it
    [InlineData(0x100001ul, 0x1FFFul, 0x101000ul, 0x1000ul)] // both ends partial, one whole frame between
    [InlineData(0x100001ul, 0x1FFEul, 0ul, 0ul)]             // both partial, no whole frame: dropped
    public void Available_ranges_round_inward_at_every_offset_around_a_frame_boundary(ulong baseAddress, ulong length, ulong keptBase, ulong keptLength)
    {
        var (map, report) = Run(E(baseAddress, length));
        if (keptLength == 0)
        {
            Assert.Empty(map);
            Assert.Equal(1, report.DroppedSubFrame);
        }
        else
        {
            Assert.Equal(new[] { (keptBase, keptLength, MemoryType.Available) }, Shape(map));
        }
    }

    [Fact]
    public void Available_ranges_shrink_inward_to_whole_frames_and_reserved_ones_keep_their_bytes()
    {
        var (map, _) = Run(E(0x100400, 0x2000), E(0x200000, 0x123, Reserved));
        Assert.Equal(new[] { (0x101000ul, 0x1000ul, MemoryType.Available), (0x200000ul, 0x123ul, MemoryType.Reserved) }, Shape(map));
    }

    [Fact]
    public void Zero_length_and_wrapping_entries_are_dropped_and_counted_and_the_rest_kept()
    {
        var (map, report) = Run(E(0x100000, 0), E(0xFFFFFFFFFFFFF000, 0x2000), E(0, 0x9F000));
        Assert.Equal(1, report.DroppedEmpty);
        Assert.Equal(1, report.DroppedWrapping);
        Assert.Equal(new[] { (0ul, 0x9F000ul, MemoryType.Available) }, Shape(map));
    }

    [Fact]
    public void An_entry_ending_exactly_at_the_top_of_the_space_is_kept()
    {
        var (map, report) = Run(E(0xFFFFFFFF00000000, 0x100000000, Reserved));
        Assert.Equal(0, report.DroppedWrapping);
        Assert.Equal(new[] { (0xFFFFFFFF00000000ul, 0x100000000ul, MemoryType.Reserved) }, Shape(map));
    }

    [Fact]
    public void Two_ranges_of_one_type_covering_the_whole_64_bit_space_stay_two_entries()
    {
        // Found by fuzzing (mb1, mb2): merged, their 2^64 bytes wrapped to a length of 0, which reads as empty.
        var (map, _) = Run(E(0, 0x8000000000000000, Reserved), E(0x8000000000000000, 0x8000000000000000, 255));
        Assert.Equal(new[] { (0ul, 0x8000000000000000ul, MemoryType.Reserved), (0x8000000000000000ul, 0x8000000000000000ul, MemoryType.Reserved) }, Shape(map));
    }

    [Fact]
    public void A_sub_frame_island_of_available_memory_is_dropped()
    {
        var (map, report) = Run(E(0x100800, 0x400), E(0x200000, 0x1000));
        Assert.Equal(1, report.DroppedSubFrame);
        Assert.Equal(new[] { (0x200000ul, 0x1000ul, MemoryType.Available) }, Shape(map));
    }

    [Fact]
    public void Identical_duplicate_entries_collapse_to_one()
    {
        var (map, _) = Run(E(0x100000, 0x100000), E(0x100000, 0x100000));
        Assert.Single(map);
    }

    [Fact]
    public void Gaps_stay_gaps()
    {
        var (map, _) = Run(E(0, 0x1000), E(0x3000, 0x1000));
        Assert.Equal(2, map.Length);
    }

    [Fact]
    public void Too_small_an_output_buffer_is_reported_not_overrun()
    {
        var output = new MemoryMapEntry[1];
        Assert.Equal(SanitizeStatus.OutputTooSmall, MemoryMapSanitizer.Sanitize(new[] { E(0, 0x1000), E(0x3000, 0x1000) }, output, out _));
    }

    [Fact]
    public void A_map_of_exactly_the_most_entries_is_accepted_and_one_more_is_refused()
    {
        // 512 one-frame ranges, every other frame: each one stays an entry of its own.
        MemoryMapEntry[] most = Enumerable.Range(0, MemoryMapSanitizer.MaxEntries).Select(i => E(0x100000 + 0x2000ul * (ulong)i, 0x1000)).ToArray();
        var (map, _) = Run(most);
        Assert.Equal(MemoryMapSanitizer.MaxEntries, map.Length);
        MemoryMapEntry[] tooMany = [.. most, E(0x10000000, 0x1000)];
        Assert.Equal(SanitizeStatus.TooManyEntries, MemoryMapSanitizer.Sanitize(tooMany, new MemoryMapEntry[2 * tooMany.Length], out _));
    }

    [Fact]
    public void Adjacent_ranges_of_one_type_from_address_0_or_up_to_the_top_merge()
    {
        // From 0: two available halves of low memory are one range.
        var (low, _) = Run(E(0, 0x50000), E(0x50000, 0x4F000));
        Assert.Equal(new[] { (0ul, 0x9F000ul, MemoryType.Available) }, Shape(low));
        // Up to 2^64: two reserved ranges that end the space are one range (only the whole space stays two).
        var (top, _) = Run(E(0xFFFF_0000_0000_0000, 0x8000_0000_0000), E(0xFFFF_8000_0000_0000, 0x8000_0000_0000, Reserved), E(0xFFFF_0000_0000_0000, 0x8000_0000_0000, Reserved));
        Assert.Equal(new[] { (0xFFFF_0000_0000_0000ul, 0x1_0000_0000_0000ul, MemoryType.Reserved) }, Shape(top));
    }

    [Fact]
    public void Available_memory_up_to_the_top_of_the_space_keeps_every_frame_but_the_last()
    {
        // The last frame ends at 2^64, an end with no 64-bit value: it is given up, the rest is kept.
        var (map, report) = Run(E(0xFFFF_FFFF_0000_0000, 0x1_0000_0000));
        Assert.Equal(new[] { (0xFFFF_FFFF_0000_0000ul, 0xFFFF_F000ul, MemoryType.Available) }, Shape(map));
        Assert.Equal(0, report.DroppedSubFrame);
    }

    [Fact]
    public void An_empty_entry_at_address_0_covers_nothing()
    {
        // Base 0, length 0: its last byte computes as 2^64 - 1, but it holds no byte and must not reserve the map.
        var (map, report) = Run(E(0, 0x9F000), E(0, 0, Reserved), E(0x100000, 0x100000));
        Assert.Equal(new[] { (0ul, 0x9F000ul, MemoryType.Available), (0x100000ul, 0x100000ul, MemoryType.Available) }, Shape(map));
        Assert.Equal(1, report.DroppedEmpty);
    }
}
