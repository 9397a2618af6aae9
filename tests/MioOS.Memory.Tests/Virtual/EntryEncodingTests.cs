using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>PDE/PTE encodings against Intel SDM vol. 3, tables 4-4 (4 MiB PDE), 4-5 (PDE to a table), 4-6 (PTE).</summary>
public class EntryEncodingTests
{
    [Theory]
    [InlineData(PageFlags.Present, 0)]
    [InlineData(PageFlags.Writable, 1)]
    [InlineData(PageFlags.User, 2)]
    [InlineData(PageFlags.WriteThrough, 3)]
    [InlineData(PageFlags.CacheDisable, 4)]
    [InlineData(PageFlags.Accessed, 5)]
    [InlineData(PageFlags.Dirty, 6)]
    [InlineData(PageFlags.PageSize, 7)]
    [InlineData(PageFlags.Global, 8)]
    public void Flag_bit_positions_match_the_sdm(PageFlags flag, int bit) =>
        Assert.Equal(1u << bit, (uint)flag);

    [Fact]
    public void Ps_and_pat_are_both_bit_7() =>
        Assert.Equal((uint)PageFlags.PageSize, (uint)PageFlags.Pat);

    [Fact]
    public void Pte_puts_the_frame_in_bits_31_to_12_and_flags_in_8_to_0()
    {
        PageTableEntry e = PageTableEntry.Create(new PhysicalAddress(0xABCDE000), PageFlags.Present | PageFlags.Writable | PageFlags.Pat | PageFlags.Global);
        Assert.Equal(0xABCDE000u | 0x1u | 0x2u | 0x80u | 0x100u, e.Value);
        Assert.Equal(0xABCDE000UL, e.Frame.Value);
        Assert.True(e.IsPresent);
        Assert.Equal(PageFlags.Present | PageFlags.Writable | PageFlags.Pat | PageFlags.Global, e.Flags);
    }

    [Fact]
    public void Pte_masks_offset_bits_and_software_bits()
    {
        PageTableEntry e = PageTableEntry.Create(new PhysicalAddress(0x12345FFF), (PageFlags)0xFFF);
        Assert.Equal(0x12345000u | 0x1FFu, e.Value);
    }

    [Fact]
    public void Pde_to_a_table_never_sets_ps()
    {
        PageDirectoryEntry e = PageDirectoryEntry.ForTable(new PhysicalAddress(0x00801000), PageFlags.Present | PageFlags.Writable | PageFlags.PageSize);
        Assert.Equal(0x00801003u, e.Value);
        Assert.False(e.IsLargePage);
        Assert.Equal(0x00801000UL, e.TableAddress.Value);
    }

    [Fact]
    public void Large_pde_below_4GiB_has_address_in_31_to_22_and_ps()
    {
        Assert.True(PageDirectoryEntry.TryCreateLarge(new PhysicalAddress(0xC0400000), PageFlags.Present | PageFlags.Writable, 32, out PageDirectoryEntry e));
        Assert.Equal(0xC0400000u | 0x80u | 0x3u, e.Value);
        Assert.True(e.IsLargePage);
        Assert.Equal(0xC0400000UL, e.LargePageAddress(32).Value);
        Assert.False(e.HasReservedBitsSet(32));
    }

    [Fact]
    public void Large_pde_pat_goes_to_bit_12_not_bit_7()
    {
        Assert.True(PageDirectoryEntry.TryCreateLarge(new PhysicalAddress(0x00400000), PageFlags.Present | PageFlags.Pat, 32, out PageDirectoryEntry e));
        Assert.Equal(0x00400000u | (1u << 12) | 0x80u | 0x1u, e.Value);
        Assert.Equal(PageFlags.Present | PageFlags.Pat, e.LargePageFlags);
        // Bit 12 is PAT, which is below M-19 only when... it is never an address bit: bit 13 is the lowest.
        Assert.Equal(0x00400000UL, e.LargePageAddress(36).Value);
    }

    [Theory]
    // M = 36: physical bits 35:32 go to PDE bits 16:13.
    [InlineData(0x1_0000_0000UL, 36, 1u << 13)]
    [InlineData(0x2_0000_0000UL, 36, 1u << 14)]
    [InlineData(0x4_0000_0000UL, 36, 1u << 15)]
    [InlineData(0x8_0000_0000UL, 36, 1u << 16)]
    [InlineData(0xF_FFC0_0000UL, 36, 0xFFC00000u | (0xFu << 13))]
    // M = 40: physical bits 39:32 go to PDE bits 20:13.
    [InlineData(0x80_0000_0000UL, 40, 1u << 20)]
    [InlineData(0xFF_FFC0_0000UL, 40, 0xFFC00000u | (0xFFu << 13))]
    public void Pse36_high_bits_go_to_pde_bits_m_minus_20_to_13(ulong physical, int m, uint addressBits)
    {
        Assert.True(PageDirectoryEntry.TryCreateLarge(new PhysicalAddress(physical), PageFlags.Present, m, out PageDirectoryEntry e));
        Assert.Equal(addressBits | 0x80u | 0x1u, e.Value);
        Assert.Equal(physical, e.LargePageAddress(m).Value);
        Assert.False(e.HasReservedBitsSet(m));
    }

    [Theory]
    [InlineData(0x1_0000_0000UL, 32)] // no PSE-36: nothing above 4 GiB
    [InlineData(0x10_0000_0000UL, 36)] // 64 GiB: 2^36
    [InlineData(0x100_0000_0000UL, 40)] // 1 TiB: 2^40
    public void Large_pde_refuses_addresses_at_or_above_2_to_the_m(ulong physical, int m) =>
        Assert.False(PageDirectoryEntry.TryCreateLarge(new PhysicalAddress(physical), PageFlags.Present, m, out _));

    [Theory]
    [InlineData(0x00200000UL)]
    [InlineData(0x00401000UL)]
    public void Large_pde_refuses_unaligned_frames(ulong physical) =>
        Assert.False(PageDirectoryEntry.TryCreateLarge(new PhysicalAddress(physical), PageFlags.Present, 36, out _));

    [Theory]
    [InlineData(32, 13, 21)]
    [InlineData(36, 17, 21)]
    [InlineData(40, 21, 21)]
    public void Reserved_bits_are_21_down_to_m_minus_19(int m, int low, int high)
    {
        uint mask = PageDirectoryEntry.LargeReservedMask(m);
        for (int bit = 0; bit < 32; bit++)
            Assert.Equal(bit >= low && bit <= high, (mask & (1u << bit)) != 0);
    }

    [Theory]
    [InlineData(CpuFeatureFlags.Pse, 0, 32)]
    [InlineData(CpuFeatureFlags.Pse, 40, 32)]
    [InlineData(CpuFeatureFlags.Pse | CpuFeatureFlags.Pse36, 0, 36)]
    [InlineData(CpuFeatureFlags.Pse | CpuFeatureFlags.Pse36, 36, 36)]
    [InlineData(CpuFeatureFlags.Pse | CpuFeatureFlags.Pse36, 39, 39)]
    [InlineData(CpuFeatureFlags.Pse | CpuFeatureFlags.Pse36, 46, 40)]
    public void M_is_min_of_maxphyaddr_and_40_with_pse36_else_32(CpuFeatureFlags flags, byte maxPhys, int m) =>
        Assert.Equal(m, PageDirectoryEntry.LargePageAddressBits(new CpuFeatures(flags, maxPhys)));

    [Fact]
    public void Large_pde_flags_report_pat_not_ps()
    {
        PageDirectoryEntry e = new(0x00400000u | 0x80u | 0x3u);
        Assert.Equal(PageFlags.Present | PageFlags.Writable, e.LargePageFlags);
    }
}
