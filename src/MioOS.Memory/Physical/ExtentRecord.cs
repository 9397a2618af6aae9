using MioOS.Memory.Collections;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Physical;

/// <summary>
/// One record of the PMM's metadata area: a run of frames that is either free (in a region's free tree) or a
/// live allocation (in the allocation tree). 32 bytes; the records live in the PMM's metadata area in physical memory
/// (after the heap when the range there holds it, else in the lowest available stretch below 2 GiB that does).
/// </summary>
internal struct ExtentRecord
{
    public TreeLinks Links;   // 20 bytes; Left doubles as the next link of the pool's free list

    /// <summary>First frame number.</summary>
    public uint Start;

    /// <summary>Frames.</summary>
    public uint Length;

    /// <summary><see cref="ExtentFlags"/>.</summary>
    public uint Flags;

    public const uint Size = 32;

    /// <summary>Where <see cref="ExtentFlags.OwnerMask"/> starts.</summary>
    public const int OwnerShift = 8;
}

/// <summary>What an <see cref="ExtentRecord"/> is.</summary>
[System.Flags]
internal enum ExtentFlags : uint
{
    None = 0,

    /// <summary>A live allocation (else a free extent).</summary>
    Allocated = 1,

    /// <summary>The allocation was identity-mapped through the frame mapper and is unmapped when freed.</summary>
    IdentityMapped = 2,

    /// <summary>In the high region.</summary>
    High = 4,

    /// <summary>An identity-mapped allocation whose mapping is being made (without <see cref="IdentityMapped"/>) or
    /// removed (with it) while the PMM's lock is dropped: not handed out yet, or being freed.</summary>
    Transit = 8,

    /// <summary>Bits 15:8 of an allocation's flags hold its <see cref="FrameOwner"/>.</summary>
    OwnerMask = 0xFF00,
}

/// <summary>The record pool seen as tree nodes: node id i is record i - 1. Free extents are sized by their
/// length (for first fit); allocations are sized 0 (their tree is only searched by key).</summary>
internal readonly unsafe struct ExtentStore : ITreeNodeStore
{
    private readonly MemoryWindow _window;
    private readonly ulong _records;

    public ExtentStore(MemoryWindow window, ulong records)
    {
        _window = window;
        _records = records;
    }

    public ExtentRecord* Record(uint id) =>
        (ExtentRecord*)_window.Bytes(_records + (ulong)(id - 1) * ExtentRecord.Size, ExtentRecord.Size, MemoryAccess.Write);

    public ref TreeLinks Links(uint node) => ref Record(node)->Links;

    public uint Key(uint node) => Record(node)->Start;

    /// <summary>Records live in the PMM's own metadata, which nothing else writes: a link is followed as it is.</summary>
    public uint Follow(uint link) => link;

    public uint Size(uint node)
    {
        ExtentRecord* r = Record(node);
        return (r->Flags & (uint)ExtentFlags.Allocated) != 0 ? 0 : r->Length;
    }
}
