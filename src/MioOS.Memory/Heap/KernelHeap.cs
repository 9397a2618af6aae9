using MioOS.Memory.Platform;

namespace MioOS.Memory.Heap;

/// <summary>
/// The kernel heap: <c>kmalloc</c>/<c>kcalloc</c>/<c>krealloc</c>/<c>kfree</c> and aligned allocation over a
/// region of identity-mapped memory, first fit in address order, with splitting, immediate coalescing,
/// growth by whole segments, and misuse detection.
/// </summary>
/// <remarks>
/// <para>All state is in the memory the heap manages: a control block at <c>start</c>
/// (<see cref="HeapLayout.ControlBlockSize"/> bytes: lock, free-tree root, counters, segment table), an 8-byte
/// header in front of every block, and, inside every free block, its node of an address-ordered AVL tree
/// whose nodes carry their subtree's largest free size. So this struct is only a handle (window, control
/// block address, growth source handle): copies of it are the same heap.</para>
/// <para>The blocks of each segment tile it in address order (the first-fit list of the spec); the tree only
/// indexes the free ones, so every call is O(log n) and still returns exactly the block a walk from the
/// lowest address would return (<see cref="HeapOptions.CrossCheck"/> verifies that on every call).</para>
/// <para>Every public call takes the heap's lock once (<see cref="HeapLock"/>, the platform's
/// <see cref="LayerLock"/>), and holds it while the heap grows: heap, then PMM, then VMM.</para>
/// </remarks>
public readonly unsafe partial struct KernelHeap<TGrowth> where TGrowth : struct, IHeapGrowth
{
    private readonly MemoryWindow _window;
    private readonly uint _control;
    private readonly TGrowth _growth;

    private KernelHeap(MemoryWindow window, uint control, TGrowth growth)
    {
        _window = window;
        _control = control;
        _growth = growth;
    }

    /// <summary>The address of the control block (the heap start).</summary>
    public uint Start => _control;

    /// <summary>
    /// Lays a new heap of the kernel's granule (<see cref="HeapLayout.KernelGranule"/>) over [<paramref name="start"/>,
    /// <paramref name="start"/> + <paramref name="length"/>): the control block, then one free block spanning the rest
    /// (the initial segment, never released).
    /// </summary>
    /// <returns><see cref="HeapStatus.Ok"/>, or <see cref="HeapStatus.ControlCorrupted"/> when the range is
    /// misaligned, too small, or outside the window.</returns>
    /// <remarks>Contract: the range is memory the caller owns (the PMM reserved it or handed it out), reachable and
    /// writable through <paramref name="window"/>, and nothing else uses it from now on: the heap writes its control
    /// block and headers there. Growth comes only from <paramref name="growth"/>; released segments go back to it.</remarks>
    public static HeapStatus Create(MemoryWindow window, uint start, uint length, TGrowth growth, HeapOptions options,
        out KernelHeap<TGrowth> heap) =>
        Create(window, start, length, growth, options, HeapLayout.KernelGranule, out heap);

    /// <summary>
    /// <see cref="Create(MemoryWindow, uint, uint, TGrowth, HeapOptions, out KernelHeap{TGrowth})"/> with every payload
    /// address and block size a multiple of <paramref name="granule"/> (<see cref="HeapLayout.IsValidGranule"/>;
    /// <paramref name="start"/> must be one too). Growth must then hand out ranges of whole granules.
    /// </summary>
    public static HeapStatus Create(MemoryWindow window, uint start, uint length, TGrowth growth, HeapOptions options,
        uint granule, out KernelHeap<TGrowth> heap)
    {
        heap = default;
        if (!HeapLayout.IsValidGranule(granule))
            return HeapStatus.ControlCorrupted;
        length &= ~(granule - 1);
        uint lead = HeapLayout.SegmentLead(granule);
        if ((start & (granule - 1)) != 0 || start == 0
            || length < HeapLayout.ControlBlockSize + HeapLayout.SegmentOverhead(granule) + HeapLayout.MinBlock
            || (ulong)start + length > AddressLimits.FourGiB || !window.Contains(start, length))
            return HeapStatus.ControlCorrupted;
        heap = new KernelHeap<TGrowth>(window, start, growth);
        window.Zero(start, HeapLayout.ControlBlockSize);
        ref HeapControl c = ref heap.Control();
        c.Options = (uint)options;
        c.Granule = granule;
        c.Secret = 0x6D696F21u ^ (start * 0x9E3779B1u);
        uint segment = start + HeapLayout.ControlBlockSize + lead;
        uint segmentLength = length - HeapLayout.ControlBlockSize - HeapLayout.SegmentOverhead(granule);
        c.InitialStart = segment;
        c.SegmentCount = 1;
        c.Segments[0] = segment;
        c.Segments[1] = segmentLength;
        c.TotalBytes = segmentLength;
        heap.AddFree(ref c, segment, segmentLength, HeapLayout.LastFlag);
        c.Magic = HeapControl.ExpectedMagic;
        return HeapStatus.Ok;
    }

    /// <summary>A handle on a heap already created at <paramref name="start"/> (checks the control block's magic).</summary>
    /// <remarks>Contract: <paramref name="window"/> reaches the same bytes as the window the heap was created with
    /// (e.g. a direct window over identity-mapped memory), and <paramref name="growth"/> draws from the same source.
    /// Handles share the one heap and its lock.</remarks>
    public static HeapStatus Attach(MemoryWindow window, uint start, TGrowth growth, out KernelHeap<TGrowth> heap)
    {
        heap = default;
        if (!window.Contains(start, HeapLayout.ControlBlockSize))
            return HeapStatus.ControlCorrupted;
        heap = new KernelHeap<TGrowth>(window, start, growth);
        return heap.Control().Magic == HeapControl.ExpectedMagic ? HeapStatus.Ok : HeapStatus.ControlCorrupted;
    }

    /// <summary><c>kmalloc</c>: the lowest-addressed free block that fits, split when the rest can be a block.
    /// Returns the payload address (a multiple of the heap's granule), or 0 for size 0, a size above
    /// <see cref="HeapLayout.MaxRequest"/>, or when nothing fits even after growing.</summary>
    public uint Kmalloc(uint size) => Kmalloc(size, out _);

    /// <inheritdoc cref="Kmalloc(uint)"/>
    public uint Kmalloc(uint size, out HeapStatus status)
    {
        ref HeapControl c = ref Control();
        uint held = HeapLock.Enter(ref c.Lock);
        uint result = AllocateLocked(ref c, size, out status);
        HeapLock.Exit(ref c.Lock, held);
        return result;
    }

    /// <summary><c>kcalloc</c>: <paramref name="count"/> elements of <paramref name="size"/> bytes, zeroed. An
    /// overflowing product returns 0 (<see cref="HeapStatus.SizeOverflow"/>), never a short block.</summary>
    public uint Kcalloc(uint count, uint size) => Kcalloc(count, size, out _);

    /// <inheritdoc cref="Kcalloc(uint, uint)"/>
    public uint Kcalloc(uint count, uint size, out HeapStatus status)
    {
        ulong total = (ulong)count * size;
        if (total > HeapLayout.MaxRequest)
        {
            status = HeapStatus.SizeOverflow;
            return 0;
        }
        ref HeapControl c = ref Control();
        uint held = HeapLock.Enter(ref c.Lock);
        uint result = AllocateLocked(ref c, (uint)total, out status);
        if (result != 0)
            _window.Zero(result, (uint)total);
        HeapLock.Exit(ref c.Lock, held);
        return result;
    }

    /// <summary><c>krealloc</c>: resizes in place when the block shrinks or its next neighbour is free and big
    /// enough, else moves it (allocate, copy, free). 0 → <see cref="Kmalloc(uint)"/>; size 0 frees and returns 0.
    /// On failure returns 0 and the old block is untouched.</summary>
    public uint Krealloc(uint pointer, uint size) => Krealloc(pointer, size, out _);

    /// <inheritdoc cref="Krealloc(uint, uint)"/>
    public uint Krealloc(uint pointer, uint size, out HeapStatus status)
    {
        ref HeapControl c = ref Control();
        uint held = HeapLock.Enter(ref c.Lock);
        uint result = ReallocateLocked(ref c, pointer, size, out status);
        HeapLock.Exit(ref c.Lock, held);
        return result;
    }

    /// <summary>An allocation whose payload address is a multiple of <paramref name="alignment"/> (a power of
    /// two): the lowest address where such a placement fits. A leading fragment stays a free block.</summary>
    public uint KmallocAligned(uint size, uint alignment) => KmallocAligned(size, alignment, out _);

    /// <inheritdoc cref="KmallocAligned(uint, uint)"/>
    public uint KmallocAligned(uint size, uint alignment, out HeapStatus status)
    {
        ref HeapControl c = ref Control();
        uint held = HeapLock.Enter(ref c.Lock);
        uint result = AllocateAlignedLocked(ref c, size, alignment, out status);
        HeapLock.Exit(ref c.Lock, held);
        return result;
    }

    /// <summary><c>kfree</c>: frees a live block and coalesces it with both neighbours at once. 0 is ignored.
    /// A pointer that is not a live block start is refused, counted and remembered (see <see cref="Stats"/>).</summary>
    public HeapStatus Kfree(uint pointer)
    {
        ref HeapControl c = ref Control();
        uint held = HeapLock.Enter(ref c.Lock);
        HeapStatus status = FreeLocked(ref c, pointer);
        HeapLock.Exit(ref c.Lock, held);
        return status;
    }

    /// <summary>Gives the spare segment (a wholly free grown segment the heap keeps for its next growth, see
    /// <see cref="HeapLayout.KeepOneSpareSegment"/>) back to the growth source now, as glibc's <c>malloc_trim</c>
    /// does for its top chunk. Returns the bytes given back (the segment's whole range), 0 when none was kept.</summary>
    public uint Trim()
    {
        ref HeapControl c = ref Control();
        uint held = HeapLock.Enter(ref c.Lock);
        uint released = 0;
        int spare = c.SpareSegment == 0 ? -1 : FindSegment(ref c, c.SpareSegment);
        if (spare >= 0)
        {
            released = c.Segments[spare * 2 + 1] + HeapLayout.SegmentOverhead(c.Granule);
            ReleaseSegment(ref c, spare);
        }
        c.SpareSegment = 0;
        HeapLock.Exit(ref c.Lock, held);
        return released;
    }

    /// <summary>The payload bytes of the live block at <paramref name="pointer"/>, or 0 when it is not one (not reported).</summary>
    public uint UsableSize(uint pointer)
    {
        ref HeapControl c = ref Control();
        uint held = HeapLock.Enter(ref c.Lock);
        uint size = ValidatePointer(ref c, pointer, out _, out uint word, out _) == HeapStatus.Ok
            ? (word & ~HeapLayout.FlagMask) - HeapLayout.HeaderSize
            : 0;
        HeapLock.Exit(ref c.Lock, held);
        return size;
    }

    /// <summary>A snapshot of the counters.</summary>
    public HeapStats Stats()
    {
        ref HeapControl c = ref Control();
        uint held = HeapLock.Enter(ref c.Lock);
        HeapStats s = default;
        s.Start = _control;
        s.SizeBytes = c.TotalBytes;
        s.UsedBytes = c.UsedBytes;
        s.FreeBytes = c.FreeBytes;
        s.Blocks = c.Blocks;
        s.FreeBlocks = c.FreeBlocks;
        FreeBlockStore store = new(_window);
        s.LargestFree = c.Root == 0 ? 0 : store.Links(c.Root).MaxSize;
        s.Segments = c.SegmentCount;
        int spare = c.SpareSegment == 0 ? -1 : FindSegment(ref c, c.SpareSegment);
        s.SpareBytes = spare < 0 ? 0 : c.Segments[spare * 2 + 1];
        s.FragmentationPerMille = c.FreeBytes == 0
            ? 0
            : (uint)(1000 - (ulong)s.LargestFree * 1000 / c.FreeBytes);
        s.InUseExtent = c.TotalBytes - c.TailFreeBytes;
        s.PeakInUseExtent = c.PeakExtent;
        s.MisuseCount = c.MisuseCount;
        s.LastMisuse = (HeapStatus)c.LastMisuse;
        s.LastMisuseAddress = c.LastMisuseAddress;
        s.CrossCheckFailures = c.CrossCheckFailures;
        s.Grows = c.Grows;
        s.Releases = c.Releases;
        HeapLock.Exit(ref c.Lock, held);
        return s;
    }

    /// <summary>Heap memory in use now (see <see cref="HeapStats.InUseExtent"/>); two reads, no lock, for tight loops.</summary>
    public uint InUseExtent
    {
        get
        {
            ref HeapControl c = ref Control();
            return c.TotalBytes - c.TailFreeBytes;
        }
    }

    /// <summary>The (start, length) of segment <paramref name="index"/> in address order; false past the last.</summary>
    public bool Segment(int index, out uint start, out uint length)
    {
        ref HeapControl c = ref Control();
        uint held = HeapLock.Enter(ref c.Lock);
        bool ok = index >= 0 && (uint)index < c.SegmentCount;
        start = ok ? c.Segments[index * 2] : 0;
        length = ok ? c.Segments[index * 2 + 1] : 0;
        HeapLock.Exit(ref c.Lock, held);
        return ok;
    }

    /// <summary>Walks every block and the free tree: headers valid, blocks tile each segment in order, no two
    /// neighbouring free blocks, the tree holds exactly the free blocks and is a valid AVL tree with correct
    /// subtree maxima, and the counters add up.</summary>
    public HeapCheck CheckIntegrity()
    {
        ref HeapControl c = ref Control();
        uint held = HeapLock.Enter(ref c.Lock);
        HeapCheck result = CheckLocked(ref c);
        HeapLock.Exit(ref c.Lock, held);
        return result;
    }

    private ref HeapControl Control() => ref *_window.At<HeapControl>(_control, MemoryAccess.Write);

    private void Report(ref HeapControl c, HeapStatus kind, uint address)
    {
        c.MisuseCount++;
        c.LastMisuse = (uint)kind;
        c.LastMisuseAddress = address;
    }

    private static void UpdatePeak(ref HeapControl c)
    {
        uint extent = c.TotalBytes - c.TailFreeBytes;
        if (extent > c.PeakExtent)
            c.PeakExtent = extent;
    }
}
