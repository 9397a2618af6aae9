using System;
using System.Collections.Generic;
using System.Linq;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// The oracle: the spec's heap written plainly. One list of blocks in address order, walked from the head on
/// every call; a growth source with the same policy as the hosted one. Every size, split and alignment rule is
/// written here from docs/heap.md ("Layout", "Placement rules", "Growth"), never taken from the heap's code, so
/// a wrong rule in the heap shows up as a different address.
/// </summary>
internal sealed class FirstFitModel
{
    // The documented layout, restated on purpose (the model must not share the code it checks).
    /// <summary>[size|flags u32][check u32] in front of every block.</summary>
    public const uint Header = 8;

    /// <summary>The kernel's heap: payloads, blocks and their sizes are multiples of 8.</summary>
    public const uint KernelGranule = 8;

    /// <summary>The malloc library's heap: payloads and block sizes are multiples of 16.</summary>
    public const uint MallocGranule = 16;

    /// <summary>A free block holds its header, its tree node (20 bytes) and a copy of its header word (4).</summary>
    public const uint SmallestBlock = Header + 20 + 4;

    /// <summary>A remainder this big becomes a free block of its own; a smaller one stays in the allocation.</summary>
    public const uint SmallestRemainder = SmallestBlock;

    /// <summary>Requests above this are refused (kcalloc's product included).</summary>
    public const uint LargestRequest = 0x7FFF_0000;

    /// <summary>The control block at the heap start.</summary>
    public const uint ControlBlock = 1024;

    /// <summary>Entries of the segment table (the initial segment and every growth).</summary>
    public const int SegmentSlots = 96;

    /// <summary>The least a growth asks for (while the table holds fewer than 8 segments); more is asked in whole
    /// 4 KiB frames.</summary>
    public const uint LeastGrowth = 1024 * 1024;

    /// <summary>A wholly free grown segment up to this size is kept as the one spare instead of going back.</summary>
    public const uint LargestSpare = 4 * LeastGrowth;

    /// <summary>The least growth doubles for every this many segments in the table.</summary>
    public const int GrowthDoublingSegments = 8;

    /// <summary>The block a request of <paramref name="size"/> bytes takes: header plus payload rounded up to the
    /// granule, never below the smallest block; 0 when the request is 0 or too large.</summary>
    public static uint BlockFor(uint size, uint granule = KernelGranule)
    {
        if (size == 0 || size > LargestRequest)
            return 0;
        ulong bytes = Header + (ulong)size;
        ulong rounded = (bytes + granule - 1) / granule * granule;
        return (uint)Math.Max(rounded, SmallestBlock);
    }

    /// <summary>Where an aligned request goes in a free block, as the rule reads: the lowest payload address that is
    /// a multiple of <paramref name="alignment"/> and leaves a leading fragment of 0 or at least a smallest block;
    /// the fragment's size, or -1 when the block is then too small.</summary>
    public static long LeadIn(uint blockStart, uint blockSize, uint need, uint alignment)
    {
        ulong payload = ((ulong)blockStart + Header + alignment - 1) / alignment * alignment;
        while (payload - Header - blockStart != 0 && payload - Header - blockStart < SmallestBlock)
            payload += alignment;
        ulong lead = payload - Header - blockStart;
        return lead + need <= blockSize ? (long)lead : -1;
    }

    /// <summary>A free block this big always takes an aligned request (block starts are a granule apart, so the
    /// fragment is at most a smallest block plus alignment - granule); 0 when that does not fit in 32 bits.</summary>
    public static uint SureFit(uint need, uint alignment, uint granule = KernelGranule)
    {
        ulong sure = (ulong)need + SmallestBlock + alignment - granule;
        return sure > uint.MaxValue ? 0 : (uint)sure;
    }

    internal sealed class Block
    {
        public uint Start;
        public uint Size;
        public bool Used;
        public override string ToString() => $"{Start:X}+{Size}{(Used ? " used" : "")}";
    }

    public readonly List<Block> Blocks = new();
    public readonly List<(uint Start, uint Length)> Segments = new();
    /// <summary>Where each segment's blocks came from: the range the growth source gave, by first block.</summary>
    private readonly Dictionary<uint, (uint Start, uint Length)> _ranges = new();
    public readonly ModelGrowth Growth;
    public readonly uint InitialStart;
    public readonly uint Granule;
    public uint PeakExtent;

    /// <summary>The start of the spare segment, 0 when none.</summary>
    public uint Spare;

    public FirstFitModel(uint heapStart, uint heapSize, ModelGrowth growth, uint granule = KernelGranule)
    {
        Granule = granule;
        (InitialStart, uint length) = Tile(heapStart + ControlBlock, heapSize / granule * granule - ControlBlock);
        Segments.Add((InitialStart, length));
        Blocks.Add(new Block { Start = InitialStart, Size = length });
        Growth = growth;
    }

    /// <summary>The blocks of a range: the first starts where its payload (8 bytes on) is on a granule boundary,
    /// and they tile whole granules from there, as far as the range reaches.</summary>
    private (uint Start, uint Length) Tile(uint rangeStart, uint rangeLength)
    {
        uint first = rangeStart;
        while ((first + Header) % Granule != 0)
            first += Header;
        uint length = (rangeStart + rangeLength - first) / Granule * Granule;
        return (first, length);
    }

    private int SegmentOf(uint address) =>
        Segments.FindIndex(s => address >= s.Start && address - s.Start < s.Length);

    private bool SameSegment(Block a, Block b) => SegmentOf(a.Start) == SegmentOf(b.Start);

    public uint Malloc(uint size)
    {
        uint need = BlockFor(size, Granule);
        if (need == 0)
            return 0;
        int i = Blocks.FindIndex(b => !b.Used && b.Size >= need);
        if (i < 0)
        {
            if (!Grow(need))
                return 0;
            i = Blocks.FindIndex(b => !b.Used && b.Size >= need);
            if (i < 0)
                return 0;
        }
        return Carve(i, 0, need);
    }

    public uint Calloc(uint count, uint size)
    {
        ulong total = (ulong)count * size;
        return total > LargestRequest ? 0 : Malloc((uint)total);
    }

    private static long Lead(Block b, uint need, uint alignment) => LeadIn(b.Start, b.Size, need, alignment);

    public uint Aligned(uint size, uint alignment)
    {
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
            return 0;
        if (alignment <= Granule)
            return Malloc(size);
        uint need = BlockFor(size, Granule);
        if (need == 0)
            return 0;
        uint sure = SureFit(need, alignment, Granule);
        if (sure == 0)
            return 0;
        int i = Blocks.FindIndex(b => !b.Used && Lead(b, need, alignment) >= 0);
        if (i < 0)
        {
            if (!Grow(sure))
                return 0;
            i = Blocks.FindIndex(b => !b.Used && Lead(b, need, alignment) >= 0);
            if (i < 0)
                return 0;
        }
        return Carve(i, (uint)Lead(Blocks[i], need, alignment), need);
    }

    private uint Carve(int index, uint lead, uint need)
    {
        Block free = Blocks[index];
        uint tail = free.Size - lead - need;
        if (tail < SmallestRemainder)
        {
            need += tail;
            tail = 0;
        }
        var used = new Block { Start = free.Start + lead, Size = need, Used = true };
        Blocks.RemoveAt(index);
        int at = index;
        if (lead != 0)
            Blocks.Insert(at++, new Block { Start = free.Start, Size = lead });
        Blocks.Insert(at++, used);
        if (tail != 0)
            Blocks.Insert(at, new Block { Start = used.Start + need, Size = tail });
        PeakExtent = Math.Max(PeakExtent, Extent());
        return used.Start + Header;
    }

    public void Free(uint pointer)
    {
        if (pointer == 0)
            return;
        int i = Blocks.FindIndex(b => b.Start == pointer - Header);
        if (i < 0 || !Blocks[i].Used)
            throw new InvalidOperationException($"model: free of 0x{pointer:X} which is not a live block");
        Block block = Blocks[i];
        block.Used = false;
        if (i + 1 < Blocks.Count && !Blocks[i + 1].Used && SameSegment(block, Blocks[i + 1]))
        {
            block.Size += Blocks[i + 1].Size;
            Blocks.RemoveAt(i + 1);
        }
        if (i > 0 && !Blocks[i - 1].Used && SameSegment(block, Blocks[i - 1]))
        {
            Blocks[i - 1].Size += block.Size;
            Blocks.RemoveAt(i);
            block = Blocks[i - 1];
        }
        // A grown segment that is wholly free becomes the spare, and a spare kept before (if it is still wholly
        // free) goes back; one bigger than the largest spare goes back at once. The initial one never does.
        int s = SegmentOf(block.Start);
        if (Segments[s].Start != InitialStart && WhollyFree(s))
        {
            if (Segments[s].Length > LargestSpare)
            {
                ReleaseSegment(s);
                return;
            }
            uint older = Spare;
            Spare = Segments[s].Start;
            int o = Segments.FindIndex(g => g.Start == older);
            if (older != Spare && o >= 0 && WhollyFree(o))
                ReleaseSegment(o);
        }
    }

    /// <summary>The spare segment's length while it is still wholly free, else 0.</summary>
    public uint SpareBytes
    {
        get
        {
            int s = Segments.FindIndex(g => g.Start == Spare);
            return Spare != 0 && s >= 0 && WhollyFree(s) ? Segments[s].Length : 0;
        }
    }

    private bool WhollyFree(int segment) =>
        Blocks.Any(b => !b.Used && b.Start == Segments[segment].Start && b.Size == Segments[segment].Length);

    private void ReleaseSegment(int segment)
    {
        // The growth source gets back the range it gave, not only the part the blocks tiled.
        Blocks.RemoveAll(b => b.Start == Segments[segment].Start);
        var range = _ranges[Segments[segment].Start];
        _ranges.Remove(Segments[segment].Start);
        Growth.Release(range.Start, range.Length);
        Segments.RemoveAt(segment);
    }

    public uint Realloc(uint pointer, uint size)
    {
        if (pointer == 0)
            return Malloc(size);
        if (size == 0)
        {
            Free(pointer);
            return 0;
        }
        uint need = BlockFor(size, Granule);
        if (need == 0)
            return 0;
        int i = Blocks.FindIndex(b => b.Start == pointer - Header && b.Used);
        if (i < 0)
            throw new InvalidOperationException($"model: realloc of 0x{pointer:X} which is not a live block");
        Block block = Blocks[i];
        if (need <= block.Size)
        {
            uint tail = block.Size - need;
            if (tail >= SmallestRemainder)
            {
                block.Size = need;
                Blocks.Insert(i + 1, new Block { Start = block.Start + need, Size = tail, Used = true });
                Free(block.Start + need + Header);
            }
            return pointer;
        }
        if (i + 1 < Blocks.Count && !Blocks[i + 1].Used && SameSegment(block, Blocks[i + 1])
            && block.Size + Blocks[i + 1].Size >= need)
        {
            Block next = Blocks[i + 1];
            uint rest = block.Size + next.Size - need;
            if (rest >= SmallestRemainder)
            {
                block.Size = need;
                next.Start = block.Start + need;
                next.Size = rest;
            }
            else
            {
                block.Size += next.Size;
                Blocks.RemoveAt(i + 1);
            }
            PeakExtent = Math.Max(PeakExtent, Extent());
            return pointer;
        }
        uint moved = Malloc(size);
        if (moved == 0)
            return 0;
        Free(pointer);
        return moved;
    }

    private bool Grow(uint minBytes)
    {
        if (Segments.Count >= SegmentSlots)
            return false;
        // Above the kernel's granule, aligning the first payload and cutting the end to whole granules costs one
        // granule of the range: it is asked for on top.
        ulong lost = Granule == KernelGranule ? 0 : Granule;
        ulong fits = Math.Max((minBytes + lost + 4095) / 4096 * 4096, LeastGrowth);
        // The least growth doubles for every 8 segments in the table (at most 11 times); when the source cannot
        // give that much, the least that fits is asked for instead.
        ulong scaled = (ulong)LeastGrowth << Math.Min(Segments.Count / GrowthDoublingSegments, 11);
        uint rangeStart, rangeLength;
        if (!(scaled > fits && Growth.TryGrow((uint)scaled, out rangeStart, out rangeLength))
            && !Growth.TryGrow((uint)fits, out rangeStart, out rangeLength))
            return false;
        (uint start, uint length) = Tile(rangeStart, rangeLength);
        _ranges[start] = (rangeStart, rangeLength);
        Segments.Add((start, length));
        Segments.Sort();
        Blocks.Add(new Block { Start = start, Size = length });
        Blocks.Sort((a, b) => a.Start.CompareTo(b.Start));
        return true;
    }

    /// <summary>Each segment from its start to the end of its highest block that is not free.</summary>
    public uint Extent()
    {
        uint sum = 0;
        foreach (var (start, length) in Segments)
        {
            uint top = start;
            foreach (Block b in Blocks)
                if (b.Used && b.Start >= start && b.Start - start < length)
                    top = Math.Max(top, b.Start + b.Size);
            sum += top - start;
        }
        return sum;
    }

    public uint UsedBytes => (uint)Blocks.Where(b => b.Used).Sum(b => (long)b.Size);
    public uint FreeBytes => (uint)Blocks.Where(b => !b.Used).Sum(b => (long)b.Size);
    public int UsedBlocks => Blocks.Count(b => b.Used);
    public int FreeBlocks => Blocks.Count(b => !b.Used);
    public uint LargestFree => Blocks.Where(b => !b.Used).Select(b => b.Size).DefaultIfEmpty(0u).Max();
}

/// <summary>The hosted growth source's policy, written plainly.</summary>
internal sealed class ModelGrowth
{
    public uint Next;
    public readonly uint Limit;
    public readonly List<(uint Start, uint Length)> Released = new();

    public ModelGrowth(uint start, uint limit)
    {
        Next = (start + 4095) & ~4095u;
        Limit = limit & ~4095u;
    }

    public bool TryGrow(uint minBytes, out uint start, out uint length)
    {
        var fits = Released.Where(r => r.Length >= minBytes).OrderBy(r => r.Start).ToList();
        if (fits.Count > 0)
        {
            var r = fits[0];
            int i = Released.IndexOf(r);
            start = r.Start;
            length = minBytes;
            if (r.Length == minBytes)
                Released.RemoveAt(i);
            else
                Released[i] = (r.Start + minBytes, r.Length - minBytes);
            return true;
        }
        if (Limit >= Next && Limit - Next >= minBytes)
        {
            start = Next;
            length = minBytes;
            Next += minBytes;
            return true;
        }
        start = length = 0;
        return false;
    }

    public void Release(uint start, uint length)
    {
        if (start + length == Next)
        {
            Next = start;
            int i;
            while ((i = Released.FindIndex(r => r.Start + r.Length == Next)) >= 0)
            {
                Next = Released[i].Start;
                Released.RemoveAt(i);
            }
            return;
        }
        if (Released.Count < 8)
            Released.Add((start, length));
    }
}
