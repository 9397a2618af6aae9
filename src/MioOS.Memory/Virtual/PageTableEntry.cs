using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

/// <summary>
/// A 32-bit page-table entry mapping one 4 KiB page (Intel SDM vol. 3, table 4-6): flags in bits 8:0,
/// bits 11:9 ignored (free for software), physical address bits 31:12 in bits 31:12.
/// </summary>
public readonly struct PageTableEntry
{
    /// <summary>Bits 31:12: the frame address.</summary>
    public const uint AddressMask = ~(uint)Frames.OffsetMask;

    /// <summary>Bits 8:0: P, R/W, U/S, PWT, PCD, A, D, PAT, G.</summary>
    public const uint FlagsMask = 0x1FF;

    /// <summary>The raw entry.</summary>
    public readonly uint Value;

    /// <summary>Wraps a raw entry.</summary>
    public PageTableEntry(uint value) => Value = value;

    /// <summary>
    /// An entry mapping the frame at <paramref name="frame"/> with <paramref name="flags"/> (bits 8:0 kept).
    /// The caller checks the frame is 4 KiB aligned and below 4 GiB; other bits are masked off.
    /// </summary>
    public static PageTableEntry Create(PhysicalAddress frame, PageFlags flags) =>
        new(((uint)frame.Value & AddressMask) | ((uint)flags & FlagsMask));

    /// <summary>P: the entry maps a page.</summary>
    public bool IsPresent => (Value & (uint)PageFlags.Present) != 0;

    /// <summary>The physical address of the 4 KiB frame.</summary>
    public PhysicalAddress Frame => new(Value & AddressMask);

    /// <summary>Bits 8:0 (bit 7 is PAT here).</summary>
    public PageFlags Flags => (PageFlags)(Value & FlagsMask);

    /// <summary>
    /// The flags this entry's page is used with when <paramref name="directory"/> references its table: bits 8:0,
    /// with R/W and U/S kept only where the directory entry sets them too. Access rights are checked at every level
    /// of the walk, so a 4 KiB page is writable (user-accessible) only when both entries say so (SDM vol. 3, 4.6).
    /// </summary>
    public PageFlags EffectiveFlags(PageDirectoryEntry directory) =>
        (PageFlags)(Value & FlagsMask & (directory.Value | ~(uint)(PageFlags.Writable | PageFlags.User)));
}
