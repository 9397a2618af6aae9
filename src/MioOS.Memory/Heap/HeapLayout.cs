using MioOS.Memory.Platform;

namespace MioOS.Memory.Heap;

/// <summary>
/// The kernel heap's layout rules, defined once for the heap (the tests' reference model states the documented
/// rules on its own, and a table test pins these). The layout is the 32-bit one (<c>uint</c> fields) on every host.
/// </summary>
/// <remarks>
/// <para>A block is <c>[header 8][payload]</c>; the payload address handed out is the block address + <see cref="HeaderSize"/>.
/// A free block also holds, in its payload, its free-tree node (<see cref="Collections.TreeLinks"/>, 20 bytes at
/// +8) and a trusted copy of its header word (at +28), so the smallest block is 32 bytes.</para>
/// <para>The granule (payload alignment and size rounding) is chosen when a heap is created: <see cref="KernelGranule"/>
/// (8) for the kernel, <see cref="MallocGranule"/> (16, x86-64's <c>max_align_t</c>) for the malloc library. With a
/// granule above the header size, payloads sit on granule boundaries, so blocks start <see cref="SegmentLead"/> bytes
/// past one and each segment's blocks tile [start + lead, start + lead + a multiple of the granule).</para>
/// </remarks>
public static class HeapLayout
{
    /// <summary>Bytes of header in front of every block: the size-and-flags word and a check word.</summary>
    public const uint HeaderSize = 8;

    /// <summary>The kernel's granule: every block address, block size and payload address is a multiple of 8.</summary>
    public const uint KernelGranule = 8;

    /// <summary>The malloc library's granule: payload addresses and block sizes are multiples of 16 (x86-64's
    /// <c>max_align_t</c>, what glibc's malloc guarantees).</summary>
    public const uint MallocGranule = 16;

    /// <summary>The kernel's granule (<see cref="KernelGranule"/>), the default of every layout function.</summary>
    public const uint Alignment = KernelGranule;

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

    /// <summary>The least a growth asks for while the segment table holds fewer than
    /// <see cref="GrowthDoublingSegments"/> segments: a bigger request is rounded up to <see cref="GrowthGranule"/>.</summary>
    public const uint GrowthStep = 1024 * 1024;

    /// <summary>The least a growth asks for doubles for every this many segments in the table (see
    /// <see cref="LeastGrowth"/>), so the table's slots reach far beyond <see cref="MaxSegments"/> x 1 MiB.</summary>
    public const int GrowthDoublingSegments = 8;

    /// <summary>
    /// The least a growth asks for when the table holds <paramref name="segments"/> segments:
    /// <see cref="GrowthStep"/> doubled for every <see cref="GrowthDoublingSegments"/> of them (1 MiB up to 7 segments,
    /// then 2 MiB, 4 MiB, ... 2 GiB for the last 8 of the 96 slots: together some 32 GiB, more than 32-bit addresses
    /// reach). A heap of a few segments, as the kernel's on a small machine, grows by 1 MiB as before; when the
    /// source cannot give the larger step, the heap asks for the least that fits (the 1 MiB rule) instead.
    /// </summary>
    public static uint LeastGrowth(uint segments)
    {
        uint doublings = segments / (uint)GrowthDoublingSegments;
        return doublings >= 11 ? GrowthStep << 11 : GrowthStep << (int)doublings;
    }

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

    /// <summary>The flag bits of a header word (the rest is the block size; sizes are multiples of every granule).</summary>
    public const uint FlagMask = KernelGranule - 1;

    /// <summary>True for a granule a heap can be created with: a power of two from <see cref="KernelGranule"/> up to
    /// <see cref="MinBlock"/> (the smallest block must be a whole number of granules).</summary>
    public static bool IsValidGranule(uint granule) =>
        granule >= KernelGranule && granule <= MinBlock && (granule & (granule - 1)) == 0;

    /// <summary>How far into its range a segment's first block starts, so that its payload is on a
    /// <paramref name="granule"/> boundary when the range starts on one: 0 for 8, 8 for 16.</summary>
    public static uint SegmentLead(uint granule) => (granule - HeaderSize) & (granule - 1);

    /// <summary>Bytes of a range of whole granules that a segment cannot tile: the lead, and the tail that is left
    /// after it (together one granule when the lead is not 0).</summary>
    public static uint SegmentOverhead(uint granule) => SegmentLead(granule) == 0 ? 0 : granule;

    /// <summary>The block size a request of <paramref name="size"/> bytes needs (header included, at least
    /// <see cref="MinBlock"/>), or 0 when <paramref name="size"/> is 0 or above <see cref="MaxRequest"/>.</summary>
    public static uint BlockSizeFor(uint size) => BlockSizeFor(size, KernelGranule);

    /// <summary><see cref="BlockSizeFor(uint)"/> with the block size rounded up to <paramref name="granule"/>.</summary>
    public static uint BlockSizeFor(uint size, uint granule)
    {
        if (size == 0 || size > MaxRequest)
            return 0;
        uint block = (size + HeaderSize + granule - 1) & ~(granule - 1);
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
    public static uint AlignedGuarantee(uint need, uint alignment) => AlignedGuarantee(need, alignment, KernelGranule);

    /// <summary><see cref="AlignedGuarantee(uint, uint)"/> for a heap of <paramref name="granule"/>: block starts
    /// are <paramref name="granule"/> apart, so the leading fragment is at most <see cref="MinBlock"/> + alignment -
    /// granule.</summary>
    public static uint AlignedGuarantee(uint need, uint alignment, uint granule)
    {
        ulong sure = (ulong)need + MinBlock + alignment - granule;
        return sure > uint.MaxValue ? 0 : (uint)sure;
    }
}
