namespace MioOS.Memory.Platform;

/// <summary>
/// Page geometry of x86 32-bit paging, every size derived from two shifts (SDM vol. 3, 4.3): a 4 KiB frame (the
/// PMM's unit and the size of a small page) and a 4 MiB large page (a PSE directory entry).
/// </summary>
public static class Frames
{
    /// <summary>log2 of <see cref="Size"/>.</summary>
    public const int Shift = 12;

    /// <summary>Bytes in one frame (and in one 4 KiB page).</summary>
    public const uint Size = 1u << Shift;

    /// <summary>Mask of the offset bits inside a frame.</summary>
    public const ulong OffsetMask = Size - 1;

    /// <summary>log2 of <see cref="LargeSize"/>: a directory entry covers bits 21:0 of the address.</summary>
    public const int LargeShift = 22;

    /// <summary>Bytes in one 4 MiB page (what one page-directory entry covers).</summary>
    public const uint LargeSize = 1u << LargeShift;

    /// <summary>Mask of the offset bits inside a 4 MiB page.</summary>
    public const uint LargeOffsetMask = LargeSize - 1;

    /// <summary>Frames in one 4 MiB page, and entries in one page table or directory.</summary>
    public const uint PerLargePage = 1u << (LargeShift - Shift);

    /// <summary>Rounds an address up to the next frame boundary (saturating at the top of the space).</summary>
    public static ulong AlignUp(ulong address)
    {
        ulong up = address + OffsetMask;
        return up < address ? ulong.MaxValue & ~OffsetMask : up & ~OffsetMask;
    }

    /// <summary>Rounds an address down to its frame boundary.</summary>
    public static ulong AlignDown(ulong address) => address & ~OffsetMask;
}
