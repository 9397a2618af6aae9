using MioOS.Memory.Boot;

namespace MioOS.Memory.Tests.Boot;

/// <summary>What the firmware offers, counted off a sanitised map by hand: whole frames of available memory below and
/// at or above 4 GiB (a range across 4 GiB counts on both sides), and the bytes of every range that is not reserved.</summary>
public class FirmwareFiguresTests
{
    [Fact]
    public void A_map_with_every_type_and_a_range_across_4_GiB_gives_the_figures_worked_out_by_hand()
    {
        MemoryMapEntry[] map =
        [
            new(0x0, 0x9F000, (uint)MemoryType.Available),                 // 0x9F frames below
            new(0x9F000, 0x1000, (uint)MemoryType.Reserved),
            new(0x100000, 0x7FDE0000, (uint)MemoryType.Available),         // 0x7FDE0 frames below
            new(0x7FEE0000, 0x20000, (uint)MemoryType.AcpiReclaimable),
            new(0x7FF00000, 0x1000, (uint)MemoryType.AcpiNvs),
            new(0xF000_0000, 0x2000_0000, (uint)MemoryType.Available),     // 0x10000 frames below, 0x10000 above
            new(0x2_0000_0000, 0x100000, (uint)MemoryType.Available),      // 0x100 frames above
            new(0x2_0010_0000, 0x1000, (uint)MemoryType.BadRam),
            new(0xFD_0000_0000, 0x3_0000_0000, (uint)MemoryType.Reserved),
        ];
        FirmwareFigures f = FirmwareFigures.Of(map);
        Assert.Equal(0x9FUL + 0x7FDE0 + 0x10000, f.UsableFramesBelow4G);
        Assert.Equal(0x10000UL + 0x100, f.UsableFramesAbove4G);
        Assert.Equal(0x9F000UL + 0x7FDE0000 + 0x20000 + 0x1000 + 0x2000_0000 + 0x100000 + 0x1000, f.InstalledBytes);
        Assert.Equal((0x9FUL + 0x7FDE0 + 0x10000) * 4096, f.UsableBytesBelow4G);
        Assert.Equal((0x10000UL + 0x100) * 4096, f.UsableBytesAbove4G);
    }

    [Theory]
    [InlineData(0xFFFF_0000UL, 0x1_0000_0000UL, 0x10UL, 0x0UL)]    // ending exactly at 4 GiB
    [InlineData(0x1_0000_0000UL, 0x1_0001_0000UL, 0x0UL, 0x10UL)]  // starting exactly at 4 GiB
    [InlineData(0xFFFF_F000UL, 0x1_0000_1000UL, 0x1UL, 0x1UL)]     // one frame either side
    public void Available_memory_is_counted_on_its_side_of_4_GiB(ulong start, ulong end, ulong below, ulong above)
    {
        FirmwareFigures f = FirmwareFigures.Of([new MemoryMapEntry(start, end - start, (uint)MemoryType.Available)]);
        Assert.Equal((below, above, end - start), (f.UsableFramesBelow4G, f.UsableFramesAbove4G, f.InstalledBytes));
    }
}
