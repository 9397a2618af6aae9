using MioOS.Memory.Collections;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Heap;

/// <summary>
/// The free tree's node store: node id = free block address, links inside the free block at
/// <see cref="HeapLayout.FreeLinksOffset"/>, size from the block's trusted header copy at
/// <see cref="HeapLayout.FreeCopyOffset"/> (so an overwritten header cannot mislead the tree).
/// </summary>
internal readonly unsafe struct FreeBlockStore : ITreeNodeStore
{
    private readonly MemoryWindow _window;

    public FreeBlockStore(MemoryWindow window) => _window = window;

    public ref TreeLinks Links(uint node) =>
        ref *_window.At<TreeLinks>(node + HeapLayout.FreeLinksOffset, MemoryAccess.Write);

    public uint Key(uint node) => node;

    public uint Size(uint node) =>
        _window.Read<uint>(node + HeapLayout.FreeCopyOffset) & ~HeapLayout.FlagMask;
}
