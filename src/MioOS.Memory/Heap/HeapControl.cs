using System.Runtime.InteropServices;

namespace MioOS.Memory.Heap;

/// <summary>
/// The heap's control block, at the heap start: every piece of heap state that is not in a block header or a
/// free block. Laid out with <c>uint</c> fields so it is the same on every host.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct HeapControl
{
    /// <summary><see cref="ExpectedMagic"/> once initialised.</summary>
    public uint Magic;

    /// <summary>The spin lock: 0 free, 1 held.</summary>
    public int Lock;

    /// <summary>The free tree's root (a free block address), 0 when nothing is free.</summary>
    public uint Root;

    /// <summary><see cref="HeapOptions"/>.</summary>
    public uint Options;

    /// <summary>Salt of the header check word.</summary>
    public uint Secret;

    /// <summary>Where the initial segment starts (never released).</summary>
    public uint InitialStart;

    /// <summary>Segments in the table.</summary>
    public uint SegmentCount;

    /// <summary>Bytes in all segments.</summary>
    public uint TotalBytes;

    /// <summary>Bytes in allocated blocks (headers included).</summary>
    public uint UsedBytes;

    /// <summary>Bytes in free blocks.</summary>
    public uint FreeBytes;

    /// <summary>Allocated blocks.</summary>
    public uint Blocks;

    /// <summary>Free blocks.</summary>
    public uint FreeBlocks;

    /// <summary>Bytes in free blocks that end their segment (so the in-use extent is TotalBytes - TailFreeBytes).</summary>
    public uint TailFreeBytes;

    /// <summary>The highest in-use extent seen.</summary>
    public uint PeakExtent;

    /// <summary>Misuse and corruption reports so far.</summary>
    public uint MisuseCount;

    /// <summary>The kind of the last report.</summary>
    public uint LastMisuse;

    /// <summary>The address of the last report.</summary>
    public uint LastMisuseAddress;

    /// <summary>Cross-check disagreements (must stay 0).</summary>
    public uint CrossCheckFailures;

    /// <summary>Growths so far.</summary>
    public uint Grows;

    /// <summary>Segments given back so far.</summary>
    public uint Releases;

    /// <summary>The granule the heap was created with (<see cref="HeapLayout.IsValidGranule"/>).</summary>
    public uint Granule;

    /// <summary>The start of the spare segment (a wholly free grown segment kept for the next growth), 0 when none
    /// (see <see cref="HeapLayout.KeepOneSpareSegment"/>).</summary>
    public uint SpareSegment;

    /// <summary>Segments as (start, length) pairs sorted by start: the part of each range its blocks tile (the
    /// range without <see cref="HeapLayout.SegmentLead"/> and the tail of <see cref="HeapLayout.SegmentOverhead"/>).</summary>
    public fixed uint Segments[HeapLayout.MaxSegments * 2];

    /// <summary>The first free-tree link seen pointing at something that cannot be a free block, 0 when none is
    /// pending (the heap rebuilds the tree before its call returns).</summary>
    public uint BadLink;

    /// <summary>Free-tree links refused so far (each followed by a rebuild of the tree).</summary>
    public uint BadLinks;

    /// <summary>What the tree's code sees in place of a refused node, laid out as a free block of
    /// <see cref="HeapLayout.MinBlock"/> bytes: zero links (no children, no parent, so every walk ends there) and the
    /// largest size (so a search stops there); reset at every refusal.</summary>
    public fixed uint Scratch[(int)(HeapLayout.MinBlock / 4)];

    /// <summary>The index of the segment the free-tree store checks a link against first (where the last link it had
    /// to look up lay); only a hint: any index below <see cref="SegmentCount"/> is a real segment, and a link outside
    /// it is looked up in the table.</summary>
    public uint SegmentHint;

    /// <summary>"MioH".</summary>
    public const uint ExpectedMagic = 0x48_6F_69_4D;
}
