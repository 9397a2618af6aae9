using MioOS.Memory.Collections;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Heap;

/// <summary>
/// The free tree's node store: node id = free block address, links inside the free block at
/// <see cref="HeapLayout.FreeLinksOffset"/>, size from the block's trusted header copy at
/// <see cref="HeapLayout.FreeCopyOffset"/> (so an overwritten header cannot mislead the tree).
/// </summary>
/// <remarks>
/// The links live in free memory, where a write after free reaches them, so the store vouches for a node before the
/// tree touches it: inside a segment, on the granule, room for a free block, and a header marked free whose check
/// word holds; when the check word fails (an overrun of the block before it hit the header, which the heap repairs
/// from the copy), the copy must read as a free block that fits. A node that fails is never dereferenced: it is recorded in <see cref="HeapControl.BadLink"/>, the tree
/// gets the control block's scratch links (zeros: no children, no parent, so every walk ends) and the size
/// <see cref="uint.MaxValue"/> (so a search stops at it), and the heap rebuilds the tree before its call returns.
/// The last node vouched for and its segment are remembered, since the tree reads the same few nodes again and again.
/// </remarks>
internal unsafe struct FreeBlockStore : ITreeNodeStore
{
    private readonly MemoryWindow _window;
    private readonly HeapControl* _control;
    private readonly uint _scratch;
    private uint _vouched;
    private uint _segmentStart;
    private uint _segmentLength;

    public FreeBlockStore(MemoryWindow window, uint control)
    {
        _window = window;
        _control = window.At<HeapControl>(control, MemoryAccess.Write);
        // The scratch links sit where a node's links would, so Links() is the same sum for every node.
        _scratch = control + (uint)((byte*)&_control->Scratch - (byte*)_control) - HeapLayout.FreeLinksOffset;
        _vouched = 0;
        _segmentStart = 0;
        _segmentLength = 0;
    }

    public ref TreeLinks Links(uint node) =>
        ref *_window.At<TreeLinks>(((node == _vouched && node != 0) || Vouch(node) ? node : Refuse(node)) + HeapLayout.FreeLinksOffset,
            MemoryAccess.Write);

    public uint Key(uint node) => node;

    public uint Size(uint node) =>
        (node == _vouched && node != 0) || Vouch(node)
            ? _window.Read<uint>(node + HeapLayout.FreeCopyOffset) & ~HeapLayout.FlagMask
            : RefusedSize(node);

    /// <summary>True when <paramref name="node"/> can be a free block of this heap (see the remarks).</summary>
    private bool Vouch(uint node)
    {
        if (node - _segmentStart >= _segmentLength && !FindSegment(node))
            return false;
        uint room = _segmentStart + _segmentLength - node;
        if (((node + HeapLayout.HeaderSize) & (_control->Granule - 1)) != 0 || room < HeapLayout.MinBlock)
            return false;
        uint* h = (uint*)_window.Bytes(node, HeapLayout.HeaderSize, MemoryAccess.Read);
        uint word = h[0];
        if (h[1] != HeapLayout.CheckWord(node, word, _control->Secret))
            word = _window.Read<uint>(node + HeapLayout.FreeCopyOffset); // an overrun hit the header: the copy decides
        uint size = word & ~HeapLayout.FlagMask;
        if ((word & (HeapLayout.FlagMask & ~HeapLayout.LastFlag)) != 0 || size < HeapLayout.MinBlock || size > room
            || (size & (_control->Granule - 1)) != 0)
            return false;
        _vouched = node;
        return true;
    }

    private bool FindSegment(uint address)
    {
        int low = 0, high = (int)_control->SegmentCount - 1;
        while (low <= high)
        {
            int mid = (low + high) >> 1;
            uint start = _control->Segments[mid * 2];
            if (address < start)
            {
                high = mid - 1;
            }
            else if (address - start >= _control->Segments[mid * 2 + 1])
            {
                low = mid + 1;
            }
            else
            {
                _segmentStart = start;
                _segmentLength = _control->Segments[mid * 2 + 1];
                return true;
            }
        }
        return false;
    }

    private uint Refuse(uint node)
    {
        if (_control->BadLink == 0)
            _control->BadLink = node == 0 ? 1u : node; // 0 would read as "nothing pending"
        _control->Scratch = default;
        return _scratch;
    }

    private uint RefusedSize(uint node)
    {
        Refuse(node);
        return uint.MaxValue;
    }
}
