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
/// <para>The links live in free memory, where a write after free reaches them, so the store vouches for every link the
/// tree follows (<see cref="Follow"/>: the tree calls it once for each id it reads from a link, before its first
/// dereference; ids the tree already holds, the root and the nodes the heap hands in are the heap's own): inside a
/// segment with room for a free block, on the granule, and a header word marked free that fits the segment and agrees
/// with the copy (a caller's data rarely holds the same plausible free word 28 bytes apart). That is two loads from the
/// block's first 32 bytes, and no call for a node of the hinted segment (<see cref="HeapControl.SegmentHint"/>: where
/// the last link checked out of line lay, since a path's nodes lie near each other; a binary search of the table for
/// the others, which moves the hint). When header and copy
/// differ, the check word decides, as in the heap's repairs: a valid header speaks for the block (a write after free
/// hit the copy), else the copy does (an overrun of the block before it hit the header).</para>
/// <para>A link that fails is never dereferenced: it is recorded in <see cref="HeapControl.BadLink"/>, the tree gets the
/// control block's scratch block in its place (zero links, so every walk ends; the largest size, so a search stops),
/// and the heap rebuilds the tree before its call returns.</para>
/// </remarks>
internal unsafe struct FreeBlockStore : ITreeNodeStore
{
    private const uint ScratchWord = ~HeapLayout.FlagMask;

    private readonly MemoryWindow _window;
    private readonly HeapControl* _control;
    private readonly uint _scratch;
    private readonly uint _granuleBits;
    private uint _hintStart, _hintEnd; // the segment the fast path checks: where the last link out of line was found

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public FreeBlockStore(MemoryWindow window, uint control)
    {
        _window = window;
        _control = window.At<HeapControl>(control, MemoryAccess.Write);
        _scratch = control + (uint)((byte*)_control->Scratch - (byte*)_control);
        _granuleBits = _control->Granule - 1;
        uint hint = _control->SegmentHint < _control->SegmentCount ? _control->SegmentHint : 0; // the table may have shrunk
        _hintStart = _control->Segments[hint * 2];
        _hintEnd = _hintStart + _control->Segments[hint * 2 + 1];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TreeLinks Links(uint node) => ref *(TreeLinks*)(Block(node) + HeapLayout.FreeLinksOffset);

    public uint Key(uint node) => node;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Size(uint node) => *(uint*)(Block(node) + HeapLayout.FreeCopyOffset) & ~HeapLayout.FlagMask;

    /// <summary>Vouches for a link the tree is about to follow (see the remarks): <paramref name="link"/> itself, or
    /// the scratch block's address when it cannot be a free block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Follow(uint link)
    {
        // The fast path: in the hinted segment, header equal to its copy. Everything else takes Vouch.
        uint room = _hintEnd - link; // bytes from the link to the segment's end
        if (link - _hintStart <= _hintEnd - _hintStart - HeapLayout.MinBlock && ((link + HeapLayout.HeaderSize) & _granuleBits) == 0)
        {
            uint* p = (uint*)Block(link);
            uint word = p[0];
            // Free (used flag and bit 2 clear), a whole number of granules, at least a block, inside the segment.
            if (word == p[HeapLayout.FreeCopyOffset / 4] && (word & _granuleBits & ~HeapLayout.LastFlag) == 0
                && (word & ~HeapLayout.FlagMask) - HeapLayout.MinBlock <= room - HeapLayout.MinBlock)
                return link;
        }
        return Vouch(link);
    }

    /// <summary>The first <see cref="HeapLayout.MinBlock"/> bytes of a node the tree holds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* Block(uint node) => _window.Bytes(node, HeapLayout.MinBlock, MemoryAccess.Write);

    /// <summary>The slow path: another segment, or a header and copy that differ (see the remarks).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint Vouch(uint link)
    {
        int at = FindSegment(link);
        if (at < 0)
            return Refuse(link);
        // The next links of this path most likely lie in the same segment: the fast path checks it from now on.
        _control->SegmentHint = (uint)at;
        _hintStart = _control->Segments[at * 2];
        _hintEnd = _hintStart + _control->Segments[at * 2 + 1];
        uint end = _control->Segments[at * 2] + _control->Segments[at * 2 + 1];
        uint granuleBits = _control->Granule - 1;
        if (end - link < HeapLayout.MinBlock || ((link + HeapLayout.HeaderSize) & granuleBits) != 0)
            return Refuse(link);
        uint* p = (uint*)Block(link);
        uint word = p[0];
        uint copy = p[HeapLayout.FreeCopyOffset / 4];
        if (word != copy && p[1] != HeapLayout.CheckWord(link, word, _control->Secret))
            word = copy; // an overrun of the block before it hit the header: the copy decides
        if ((word & granuleBits & ~HeapLayout.LastFlag) != 0
            || (word & ~HeapLayout.FlagMask) - HeapLayout.MinBlock > end - link - HeapLayout.MinBlock)
            return Refuse(link);
        return link;
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint Refuse(uint link)
    {
        if (_control->BadLink == 0)
            _control->BadLink = link == 0 ? 1u : link; // 0 would read as "nothing pending"
        for (int i = 0; i < (int)(HeapLayout.MinBlock / 4); i++)
            _control->Scratch[i] = 0;
        _control->Scratch[0] = ScratchWord;
        _control->Scratch[HeapLayout.FreeCopyOffset / 4] = ScratchWord;
        return _scratch;
    }
}
