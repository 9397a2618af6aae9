using MioOS.Memory.Platform;

namespace MioOS.Memory.Heap;

/// <summary>
/// The kernel heap's layout rules, defined once for the heap (the tests' reference model states the documented
/// rules on its own, and a table test pins these). The layout is the 32-bit one (<c>uint</c> fields) on every host.
/// </summary>
/// <remarks>
/// A block is <c>[header 8][payload]</c>; the payload address handed out is the block address + <see cref="HeaderSize"/>.
/// A free block also holds, in its payload, its free-tree node (<see cref="Collections.TreeLinks"/>, 20 bytes at
/// +8) and a trusted copy of its header word (at +28), so the smallest block is 32 bytes.
/// </remarks>
public static class HeapLayout
{
    /// <summary>Bytes of header in front of every block: the size-and-flags word and a check word.</summary>
    public const uint HeaderSize = 8;

    /// <summary>Every block address, block size and payload address is a multiple of this.</summary>
    public const uint Alignment = 8;

    /// <summary>Offset in a free block of its free-tree links.</summary>
    public const uint FreeLinksOffset = HeaderSize;

    /// <summary>Offset in a free block of the copy of its header word (the size the free tree is keyed on).</summary>
    public const uint FreeCopyOffset = FreeLinksOffset + 20;

    /// <summary>The smallest block: header + tree links + header copy, rounded up to <see cref="Alignment"/>.</summary>
    public const uint MinBlock = 32;

    /// <summary>A free remainder is split off as its own free block only when it is at least this big; a smaller
    /// remainder stays in the allocated block (the same rule for the tail of a fit, for the tail a shrinking
    /// Krealloc gives back, and for what is left of a neighbour Krealloc grows into).</summary>
    public const uint SplitThreshold = MinBlock;

    /// <summary>The largest request the heap accepts (so that the block size cannot overflow 32 bits).</summary>
    public const uint MaxRequest = 0x7FFF_0000;

    /// <summary>Bytes at the heap start kept for the control block (lock, free-tree root, counters, segment table).</summary>
    public const uint ControlBlockSize = 1024;

    /// <summary>How many segments (the initial one and every growth) the segment table holds.</summary>
    public const int MaxSegments = 96;

    /// <summary>The least a growth asks for: a bigger request is rounded up to <see cref="GrowthGranule"/>.</summary>
    public const uint GrowthStep = 1024 * 1024;

    /// <summary>Growth is asked for in multiples of this (one 4 KiB frame).</summary>
    public const uint GrowthGranule = Frames.Size;

    /// <summary>Krealloc grows a block in place only into its next (higher-addressed) neighbour when that one is
    /// free; it never grows into the previous neighbour (that would move the payload anyway). Otherwise it moves
    /// the block: allocates first (first fit, the old block still taken), copies, then frees the old block.</summary>
    public const bool ReallocGrowsIntoNext = true;

    /// <summary>A grown segment of at most <see cref="SpareSegmentMaxBytes"/> that becomes wholly free is kept as the
    /// heap's one spare segment instead of going back at once: a program that allocates and frees one big block
    /// over and over (CPython's 256 KiB arenas) would otherwise map and unmap a whole segment at every call. When
    /// another grown segment empties while a spare is kept, the older spare goes back and the newly emptied one
    /// becomes the spare; an allocation placed in the spare makes it an ordinary segment again. Larger segments
    /// go back at once; the initial segment never does. (The same hysteresis as glibc's trim threshold.)</summary>
    public const bool KeepOneSpareSegment = true;

    /// <summary>The largest grown segment kept as the spare (a few minimum growths): bigger ones go back at once,
    /// so a one-off huge block does not stay mapped.</summary>
    public const uint SpareSegmentMaxBytes = 4 * GrowthStep;

    /// <summary>Header flag: the block is allocated.</summary>
    public const uint UsedFlag = 1;

    /// <summary>Header flag: the block is the last of its segment (it ends at the segment end).</summary>
    public const uint LastFlag = 2;

    /// <summary>The flag bits of a header word (the rest is the block size).</summary>
    public const uint FlagMask = Alignment - 1;

    /// <summary>The block size a request of <paramref name="size"/> bytes needs (header included, at least
    /// <see cref="MinBlock"/>), or 0 when <paramref name="size"/> is 0 or above <see cref="MaxRequest"/>.</summary>
    public static uint BlockSizeFor(uint size)
    {
        if (size == 0 || size > MaxRequest)
            return 0;
        uint block = (size + HeaderSize + Alignment - 1) & ~(Alignment - 1);
        return block < MinBlock ? MinBlock : block;
    }

    /// <summary>
    /// Where an aligned request goes inside a free block: the lowest payload address aligned to
    /// <paramref name="alignment"/> such that the leading fragment (block start to the new header) is either
    /// empty or big enough to stay a free block of its own (at least <see cref="MinBlock"/>), and the block of
    /// <paramref name="need"/> bytes still fits. Returns the leading fragment's size, or <see cref="uint.MaxValue"/>
    /// when the request does not fit in this block.
    /// </summary>
    public static uint AlignedLead(uint blockStart, uint blockSize, uint need, uint alignment)
    {
        ulong mask = (ulong)alignment - 1;
        ulong payload = ((ulong)blockStart + HeaderSize + mask) & ~mask;
        ulong lead = payload - HeaderSize - blockStart;
        if (lead != 0 && lead < MinBlock)
            lead = (((ulong)blockStart + HeaderSize + MinBlock + mask) & ~mask) - HeaderSize - blockStart;
        return lead + need <= blockSize ? (uint)lead : uint.MaxValue;
    }

    /// <summary>A free block this big always takes an aligned request of block size <paramref name="need"/>
    /// (the leading fragment is never more than <see cref="MinBlock"/> + alignment - 8). 0 on overflow.</summary>
    public static uint AlignedGuarantee(uint need, uint alignment)
    {
        ulong sure = (ulong)need + MinBlock + alignment - Alignment;
        return sure > uint.MaxValue ? 0 : (uint)sure;
    }
}
