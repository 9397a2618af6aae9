using MioOS.Memory.Collections;

namespace MioOS.Memory.Heap;

// Read-only views for reports and pictures: the blocks in address order and where the next first fit goes.
public readonly unsafe partial struct KernelHeap<TGrowth>
{
    /// <summary>
    /// The block at <paramref name="address"/> (a segment's start, or the address after a block this returned):
    /// its size (header included), whether it is in use, and whether it is the last of its segment. False when no
    /// valid header is there (the integrity walk says why).
    /// </summary>
    public bool Block(uint address, out uint size, out bool used, out bool last)
    {
        ref HeapControl c = ref Control();
        uint held = HeapLock.Enter(ref c.Lock);
        bool ok = FindSegment(ref c, address) >= 0 && ReadHeader(ref c, address, out uint word);
        word = ok ? _window.Read<uint>(address) : 0;
        HeapLock.Exit(ref c.Lock, held);
        size = word & ~HeapLayout.FlagMask;
        used = (word & HeapLayout.UsedFlag) != 0;
        last = (word & HeapLayout.LastFlag) != 0;
        return ok;
    }

    /// <summary>The free block a <c>kmalloc(<paramref name="size"/>)</c> now would take (first fit), or 0 when no
    /// free block is large enough (the heap would grow) or the size is not a valid request. Changes nothing.</summary>
    public uint FirstFitFor(uint size)
    {
        ref HeapControl c = ref Control();
        uint need = HeapLayout.BlockSizeFor(size, c.Granule);
        if (need == 0)
            return 0;
        uint held = HeapLock.Enter(ref c.Lock);
        FreeBlockStore store = new(_window);
        uint block = AugmentedTree<FreeBlockStore>.LowestFit(ref store, c.Root, need);
        HeapLock.Exit(ref c.Lock, held);
        return block;
    }
}
