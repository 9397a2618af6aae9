using MioOS.Memory.Collections;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Physical;

/// <summary>
/// One record slot of the PMM's metadata area; every indexed frame owns one (<see cref="FrameSpan"/>). The slot of
/// an extent's first frame is its head: a free extent (a node of its region's free tree) or a live allocation (its
/// length, owner and state). The slot of a free extent's last frame, when that is not its first, is its tail (the
/// extent's start and length, so a free that ends there finds it). Every other slot is zero. 32 bytes; the slots
/// live in the PMM's metadata area in physical memory (after the heap when the range there holds it, else in the
/// lowest available stretch below 2 GiB that does).
/// </summary>
internal struct ExtentRecord
{
    public TreeLinks Links;   // 20 bytes; used by free heads only

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

    /// <summary>The slot is an extent's first frame (free, or with <see cref="Allocated"/> a live allocation).</summary>
    Head = 16,

    /// <summary>The slot is the last frame of a free extent of two frames or more.</summary>
    Tail = 32,

    /// <summary>Bits 15:8 of an allocation's flags hold its <see cref="FrameOwner"/>.</summary>
    OwnerMask = 0xFF00,
}

/// <summary>The record slots seen as tree nodes: node id i is slot i - 1. Free extents are sized by the class of their
/// length (<see cref="ExtentClass"/>, for first fit); allocations are not in a tree, and are sized 0.</summary>
/// <remarks>Through a direct window the slot area is resolved once, and a slot is found by indexing with its id checked
/// against the capacity (one compare instead of the window's checks at every access of every node on a path); through a
/// resolving window (the simulated MMU's checked one), and for an id beyond the capacity, every access asks the window.</remarks>
internal readonly unsafe struct ExtentStore : ITreeNodeStore
{
    private readonly MemoryWindow _window;
    private readonly ulong _records;
    private readonly byte* _slots;
    private readonly uint _capacity;

    /// <summary>A store over <paramref name="capacity"/> slots at <paramref name="records"/>; <paramref name="slots"/> is
    /// where a direct window put them (<see cref="Resolve"/>), or null.</summary>
    public ExtentStore(MemoryWindow window, ulong records, byte* slots, uint capacity)
    {
        _window = window;
        _records = records;
        _slots = slots;
        _capacity = slots != null ? capacity : 0;
    }

    /// <summary>Where a direct window puts the <paramref name="capacity"/> slots at <paramref name="records"/>, or null
    /// (a resolving window, an area the window does not reach whole).</summary>
    public static byte* Resolve(in MemoryWindow window, ulong records, ulong capacity)
    {
        ulong bytes = capacity * ExtentRecord.Size;
        return window.IsDirect && capacity != 0 && bytes <= uint.MaxValue && window.Contains(records, bytes)
            ? window.Bytes(records, (uint)bytes, MemoryAccess.Write)
            : null;
    }

    public ExtentRecord* Record(uint id) => id - 1 < _capacity
        ? (ExtentRecord*)(_slots + (ulong)(id - 1) * ExtentRecord.Size)
        : (ExtentRecord*)_window.Bytes(_records + (ulong)(id - 1) * ExtentRecord.Size, ExtentRecord.Size, MemoryAccess.Write);

    public ref TreeLinks Links(uint node) => ref Record(node)->Links;

    public uint Key(uint node) => Record(node)->Start;

    /// <summary>Records live in the PMM's own metadata, which nothing else writes: a link is followed as it is.</summary>
    public uint Follow(uint link) => link;

    public uint Size(uint node)
    {
        ExtentRecord* r = Record(node);
        return (r->Flags & (uint)ExtentFlags.Allocated) != 0 ? 0 : ExtentClass.Of(r->Length);
    }
}
