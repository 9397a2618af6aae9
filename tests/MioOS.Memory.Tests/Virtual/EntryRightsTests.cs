using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>
/// What a 4 KiB page's entries say about its rights (Intel SDM vol. 3, 4.6): R/W and U/S are checked at both levels,
/// so the page is writable (user-accessible) only when the PDE and the PTE both set the bit; the other bits 8:0 come
/// from the PTE alone. And a PDE's own bits 8:0 as stored.
/// </summary>
public class EntryRightsTests
{
    // A PTE with P, R/W, U/S, D and G (bits 0, 1, 2, 6, 8 = 0x147) for the frame at 0x12345000.
    private const uint Pte = 0x12345000u | 0x147u;

    [Theory]
    [InlineData(0x00801000u | 0x007u, 0x147u)] // PDE P, R/W, U/S: all of the PTE's bits
    [InlineData(0x00801000u | 0x003u, 0x143u)] // PDE without U/S: supervisor only (bit 2 dropped)
    [InlineData(0x00801000u | 0x005u, 0x145u)] // PDE without R/W: read-only (bit 1 dropped)
    [InlineData(0x00801000u | 0x001u, 0x141u)] // PDE with neither: both dropped
    [InlineData(0x00801000u | 0x03Fu, 0x147u)] // the PDE's PWT, PCD and A do not show in the page's flags
    public void A_pages_rights_are_the_and_of_its_pde_and_pte(uint pde, uint effective) =>
        Assert.Equal((PageFlags)effective, new PageTableEntry(Pte).EffectiveFlags(new PageDirectoryEntry(pde)));

    [Fact]
    public void A_pdes_flags_are_its_bits_8_to_0_as_stored()
    {
        // A 4 MiB entry for 0xC0400000 with PAT (bit 12), G, PS, R/W and P: bits 8:0 are 0x183 (PS stays bit 7 here).
        PageDirectoryEntry e = new(0xC0400000u | 0x1000u | 0x183u);
        Assert.Equal(PageFlags.Present | PageFlags.Writable | PageFlags.PageSize | PageFlags.Global, e.Flags);
        // A table reference for 0x00801000 with P, R/W, U/S.
        Assert.Equal(PageFlags.Present | PageFlags.Writable | PageFlags.User, new PageDirectoryEntry(0x00801007u).Flags);
    }
}
