using System.Runtime.CompilerServices;
using MioOS.Memory.Collections;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Heap;

/// <summary>
/// The free tree's node store: node id = free block address, links inside the free block at
/// <see cref="HeapLayout.FreeLinksOffset"/>, size from the block's trusted header copy at
/// <see cref="HeapLayout.FreeCopyOffset"/> (so an overwritten header cannot mislead the tree).
/// </summary>
/// <remarks>
/// <para>The links live in free memory, where a write after free reaches them, so the store vouches for a node before
/// the tree touches it: inside a segment with room for a free block, on the granule, and a header word marked free
/// that fits the segment and agrees with the copy (a caller's data rarely holds the same plausible free word 28 bytes
/// apart). That is two loads from the block's first 32 bytes, which the tree reads anyway, and no call. When header
/// and copy differ, the check word decides, as in the heap's repairs: a valid header speaks for the block (a write
/// after free hit the copy), else the copy does (an overrun of the block before it hit the header).</para>
/// <para>A node that fails is never dereferenced: it is recorded in <see cref="HeapControl.BadLink"/>, the tree gets
/// the control block's scratch block instead (zero links, so every walk ends; the largest size, so a search stops),
/// and the heap rebuilds the tree before its call returns.</para>
/// </remarks>
internal readonly unsafe struct FreeBlockStore : ITreeNodeStore
{
    private const uint ScratchWord = ~HeapLayout.FlagMask;

    private readonly MemoryWindow _window;
    private readonly HeapControl* _control;
    private readonly uint _scratch;

    public FreeBlockStore(MemoryWindow window, uint control)
    {
        _window = window;
        _control = window.At<HeapControl>(control, MemoryAccess.Write);
        _scratch = control + (uint)((byte*)_control->Scratch - (byte*)_control);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TreeLinks Links(uint node) => ref *(TreeLinks*)(Block(node) + HeapLayout.FreeLinksOffset);

    public uint Key(uint node) => node;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Size(uint node) => *(uint*)(Block(node) + HeapLayout.FreeCopyOffset) & ~HeapLayout.FlagMask;

    /// <summary>The first <see cref="HeapLayout.MinBlock"/> bytes of the free block at <paramref name="node"/>, or of
    /// the scratch block when the node cannot be one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* Block(uint node)
    {
        // The fast path looks in the first segment of the table; a node elsewhere takes the slow path's search.
        uint segment = _control->Segments[0];
        uint length = _control->Segments[1];
        if (node - segment <= length - HeapLayout.MinBlock && ((node + HeapLayout.HeaderSize) & (_control->Granule - 1)) == 0)
        {
            byte* p = _window.Bytes(node, HeapLayout.MinBlock, MemoryAccess.Write);
            uint word = *(uint*)p;
            if (word == *(uint*)(p + HeapLayout.FreeCopyOffset) && (word & (HeapLayout.FlagMask & ~HeapLayout.LastFlag)) == 0
                && word - HeapLayout.MinBlock <= segment + length - node - HeapLayout.MinBlock)
                return p;
        }
        return Vouch(node);
    }

    /// <summary>The slow path: another segment, or a header and copy that differ (see the remarks).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte* Vouch(uint node)
    {
        int at = FindSegment(node);
        if (at < 0)
            return Refuse(node);
        uint end = _control->Segments[at * 2] + _control->Segments[at * 2 + 1];
        if (end - node < HeapLayout.MinBlock || ((node + HeapLayout.HeaderSize) & (_control->Granule - 1)) != 0)
            return Refuse(node);
        byte* p = _window.Bytes(node, HeapLayout.MinBlock, MemoryAccess.Write);
        uint word = *(uint*)p;
        uint copy = *(uint*)(p + HeapLayout.FreeCopyOffset);
        if (word != copy && ((uint*)p)[1] != HeapLayout.CheckWord(node, word, _control->Secret))
            word = copy; // an overrun of the block before it hit the header: the copy decides
        uint size = word & ~HeapLayout.FlagMask;
        if ((word & (HeapLayout.FlagMask & ~HeapLayout.LastFlag)) != 0 || size < HeapLayout.MinBlock || size > end - node
            || (size & (_control->Granule - 1)) != 0)
            return Refuse(node);
        return p;
    }

    private int FindSegment(uint address)
    {
        int low = 0, high = (int)_control->SegmentCount - 1;
        while (low <= high)
        {
            int mid = (low + high) >> 1;
            uint start = _control->Segments[mid * 2];
            if (address < start)
                high = mid - 1;
            else if (address - start >= _control->Segments[mid * 2 + 1])
                low = mid + 1;
            else
                return mid;
        }
        return -1;
    }

    private byte* Refuse(uint node)
    {
        if (_control->BadLink == 0)
            _control->BadLink = node == 0 ? 1u : node; // 0 would read as "nothing pending"
        for (int i = 0; i < (int)(HeapLayout.MinBlock / 4); i++)
            _control->Scratch[i] = 0;
        _control->Scratch[0] = ScratchWord;
        _control->Scratch[HeapLayout.FreeCopyOffset / 4] = ScratchWord;
        return _window.Bytes(_scratch, HeapLayout.MinBlock, MemoryAccess.Write);
    }
}
