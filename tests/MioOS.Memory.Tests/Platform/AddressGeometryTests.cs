using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Platform;

/// <summary>The address arithmetic every layer builds on, against Intel SDM vol. 3, 4.3 (32-bit paging): a linear
/// address is directory index (bits 31:22), table index (21:12) and page offset (11:0); frames are 4 KiB.</summary>
public class AddressGeometryTests
{
    [Theory]
    [InlineData(0x00000000u, 0u, 0u, 0u)]
    [InlineData(0x00000FFFu, 0u, 0u, 0xFFFu)]
    [InlineData(0x00001000u, 0u, 1u, 0u)]
    [InlineData(0x003FF000u, 0u, 1023u, 0u)]
    [InlineData(0x00400000u, 1u, 0u, 0u)]
    [InlineData(0xC0123ABCu, 0x300u, 0x123u, 0xABCu)]
    [InlineData(0xFFFFFFFFu, 1023u, 1023u, 0xFFFu)]
    public void A_linear_address_splits_into_directory_table_and_offset(uint linear, uint directory, uint table, uint offset)
    {
        var a = new VirtualAddress(linear);
        Assert.Equal((directory, table, offset), (a.DirectoryIndex, a.TableIndex, a.PageOffset));
    }

    [Theory]
    [InlineData(0x0UL, true, true, 0x0UL)]
    [InlineData(0x1UL, false, false, 0x0UL)]
    [InlineData(0xFFFUL, false, false, 0x0UL)]
    [InlineData(0x1000UL, false, true, 0x1UL)]
    [InlineData(0x1_2345_6789UL, false, false, 0x12_3456UL)]
    [InlineData(0x1_0000_0000UL, false, true, 0x10_0000UL)]
    public void A_physical_address_knows_its_frame_and_whether_it_is_null_or_aligned(ulong value, bool isNull, bool aligned, ulong frame)
    {
        var a = new PhysicalAddress(value);
        Assert.Equal((isNull, aligned, frame), (a.IsNull, a.IsFrameAligned, a.FrameNumber));
    }

    [Theory]
    [InlineData(0x0UL, 0x0UL)]
    [InlineData(0x1UL, 0x1000UL)]
    [InlineData(0x12_3456UL, 0x1_2345_6000UL)]
    public void The_first_byte_of_a_frame_is_its_number_times_4_KiB(ulong frame, ulong address) =>
        Assert.Equal(address, PhysicalAddress.OfFrame(frame).Value);

    [Theory]
    [InlineData(0x0UL, 0x0UL, 0x0UL)]
    [InlineData(0x1UL, 0x0UL, 0x1000UL)]
    [InlineData(0xFFFUL, 0x0UL, 0x1000UL)]
    [InlineData(0x1000UL, 0x1000UL, 0x1000UL)]
    [InlineData(0x1001UL, 0x1000UL, 0x2000UL)]
    [InlineData(0xFFFF_FFFFUL, 0xFFFF_F000UL, 0x1_0000_0000UL)]
    // The last whole frame of the 64-bit space: rounding up anything inside it has no next boundary, so it stays at the
    // frame's start (saturates) instead of wrapping to 0.
    [InlineData(0xFFFF_FFFF_FFFF_F000UL, 0xFFFF_FFFF_FFFF_F000UL, 0xFFFF_FFFF_FFFF_F000UL)]
    [InlineData(0xFFFF_FFFF_FFFF_F001UL, 0xFFFF_FFFF_FFFF_F000UL, 0xFFFF_FFFF_FFFF_F000UL)]
    [InlineData(0xFFFF_FFFF_FFFF_FFFFUL, 0xFFFF_FFFF_FFFF_F000UL, 0xFFFF_FFFF_FFFF_F000UL)]
    public void Addresses_round_down_and_up_to_4_KiB_frames(ulong address, ulong down, ulong up)
    {
        Assert.Equal(down, Frames.AlignDown(address));
        Assert.Equal(up, Frames.AlignUp(address));
    }

    [Fact]
    public void The_page_geometry_is_the_sdms()
    {
        Assert.Equal(4096u, Frames.Size);
        Assert.Equal(4u << 20, Frames.LargeSize);
        Assert.Equal(1024u, Frames.PerLargePage); // entries in a page table or directory
        Assert.Equal(0xFFFUL, Frames.OffsetMask);
        Assert.Equal(0x3F_FFFFu, Frames.LargeOffsetMask);
        Assert.Equal(1UL << 32, AddressLimits.FourGiB);
    }
}
