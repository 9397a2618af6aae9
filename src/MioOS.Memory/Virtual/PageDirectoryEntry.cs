using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

/// <summary>
/// A 32-bit page-directory entry: either a reference to a page table (PS = 0, SDM vol. 3 table 4-5) or, with
/// CR4.PSE = 1 and PS = 1, a 4 MiB page (table 4-4).
/// </summary>
/// <remarks>
/// A 4 MiB entry holds physical bits 31:22 in bits 31:22, PAT in bit 12, and with PSE-36 physical bits
/// (M-1):32 in bits (M-20):13, where M = min(MAXPHYADDR, 40); bits 21:(M-19) are reserved and a set one makes
/// the walk fault with RSVD. Without PSE-36, M is 32 and bits 21:13 are all reserved.
/// </remarks>
public readonly struct PageDirectoryEntry
{
    /// <summary>Bits 31:12 of a table reference: the page table's physical address.</summary>
    public const uint TableAddressMask = ~(uint)Frames.OffsetMask;

    /// <summary>Bits 31:22 of a 4 MiB entry: physical bits 31:22.</summary>
    public const uint LargeAddressMask = ~Frames.LargeOffsetMask;

    /// <summary>Bit 12 of a 4 MiB entry: PAT.</summary>
    public const uint LargePatBit = 1u << 12;

    /// <summary>Bits 8:0.</summary>
    public const uint FlagsMask = 0x1FF;

    /// <summary>The raw entry.</summary>
    public readonly uint Value;

    /// <summary>Wraps a raw entry.</summary>
    public PageDirectoryEntry(uint value) => Value = value;

    /// <summary>P: the entry references a table or maps a page.</summary>
    public bool IsPresent => (Value & (uint)PageFlags.Present) != 0;

    /// <summary>PS: a 4 MiB page (the CPU honours it only when CR4.PSE = 1).</summary>
    public bool IsLargePage => (Value & (uint)PageFlags.PageSize) != 0;

    /// <summary>Bits 8:0 as stored (bit 7 is PS here).</summary>
    public PageFlags Flags => (PageFlags)(Value & FlagsMask);

    /// <summary>The page table's physical address (meaningful when PS = 0).</summary>
    public PhysicalAddress TableAddress => new(Value & TableAddressMask);

    /// <summary>
    /// The flags of a 4 MiB entry in the page-level convention: bits 8:0 without PS, with bit 7 = PAT taken
    /// from bit 12.
    /// </summary>
    public PageFlags LargePageFlags =>
        (PageFlags)((Value & FlagsMask & ~(uint)PageFlags.PageSize) | ((Value & LargePatBit) != 0 ? (uint)PageFlags.Pat : 0));

    /// <summary>
    /// The width M of the physical addresses a 4 MiB entry can hold on a CPU with <paramref name="features"/>:
    /// min(MAXPHYADDR, 40) with PSE-36 (MAXPHYADDR 36 when CPUID does not say), otherwise 32.
    /// </summary>
    public static int LargePageAddressBits(CpuFeatures features)
    {
        if (!features.Has(CpuFeatureFlags.Pse36))
            return 32;
        int m = features.MaxPhysicalAddressBits == 0 ? 36 : features.MaxPhysicalAddressBits;
        if (m > 40)
            m = 40;
        if (m < 32)
            m = 32;
        return m;
    }

    /// <summary>The reserved bits 21:(M-19) of a 4 MiB entry for address width <paramref name="m"/> (21:13 when M = 32).</summary>
    public static uint LargeReservedMask(int m)
    {
        int low = m == 32 ? 13 : m - 19;
        // Bits low..21 inclusive: the 4 MiB offset bits from low up.
        return Frames.LargeOffsetMask & ~((1u << low) - 1);
    }

    /// <summary>An entry referencing the page table at <paramref name="table"/> (4 KiB aligned, below 4 GiB).</summary>
    public static PageDirectoryEntry ForTable(PhysicalAddress table, PageFlags flags) =>
        new(((uint)table.Value & TableAddressMask) | ((uint)flags & FlagsMask & ~(uint)PageFlags.PageSize));

    /// <summary>
    /// Encodes a 4 MiB entry for <paramref name="frame"/> with the page-level <paramref name="flags"/> (bit 7 =
    /// PAT, moved to bit 12; PS is set here). False when the frame is not 4 MiB aligned or does not fit in
    /// <paramref name="m"/> address bits.
    /// </summary>
    public static bool TryCreateLarge(PhysicalAddress frame, PageFlags flags, int m, out PageDirectoryEntry entry)
    {
        entry = default;
        ulong address = frame.Value;
        if ((address & Frames.LargeOffsetMask) != 0)
            return false;
        if (m < 64 && (address >> m) != 0)
            return false;
        uint high = (uint)(address >> 32); // physical bits (M-1):32 -> PDE bits (M-20):13
        uint value = ((uint)address & LargeAddressMask) | (high << 13) | (uint)PageFlags.PageSize;
        uint f = (uint)flags & FlagsMask;
        if ((f & (uint)PageFlags.Pat) != 0)
            value |= LargePatBit;
        value |= f & ~(uint)PageFlags.Pat;
        entry = new PageDirectoryEntry(value);
        return true;
    }

    /// <summary>The physical address of a 4 MiB page, reading bits (M-20):13 as physical bits (M-1):32.</summary>
    public PhysicalAddress LargePageAddress(int m)
    {
        ulong low = Value & LargeAddressMask;
        if (m <= 32)
            return new PhysicalAddress(low);
        uint highMask = (1u << (m - 32)) - 1;
        ulong high = (Value >> 13) & highMask;
        return new PhysicalAddress(low | (high << 32));
    }

    /// <summary>True when a 4 MiB entry sets one of its reserved bits for address width <paramref name="m"/>.</summary>
    public bool HasReservedBitsSet(int m) => (Value & LargeReservedMask(m)) != 0;
}
