namespace MioOS.Memory.Heap;

/// <summary>A snapshot of the heap's counters (what <c>heapinfo</c> shows).</summary>
public struct HeapStats
{
    /// <summary>Where the heap (its control block) starts.</summary>
    public uint Start;

    /// <summary>Bytes in all segments (the control block not counted).</summary>
    public uint SizeBytes;

    /// <summary>Bytes in allocated blocks, headers included.</summary>
    public uint UsedBytes;

    /// <summary>Bytes in free blocks.</summary>
    public uint FreeBytes;

    /// <summary>Allocated blocks.</summary>
    public uint Blocks;

    /// <summary>Free blocks.</summary>
    public uint FreeBlocks;

    /// <summary>The largest free block (header included).</summary>
    public uint LargestFree;

    /// <summary>Segments (the initial one plus growths not given back).</summary>
    public uint Segments;

    /// <summary>External fragmentation in per mille: 1000 * (1 - largest free / free), 0 when nothing is free.</summary>
    public uint FragmentationPerMille;

    /// <summary>Heap memory in use now: each segment from its start to the end of its highest block that is not free.</summary>
    public uint InUseExtent;

    /// <summary>The high-water mark of <see cref="InUseExtent"/>.</summary>
    public uint PeakInUseExtent;

    /// <summary>Misuse and corruption reports so far.</summary>
    public uint MisuseCount;

    /// <summary>The last report's kind.</summary>
    public HeapStatus LastMisuse;

    /// <summary>The last report's address.</summary>
    public uint LastMisuseAddress;

    /// <summary>Disagreements found by the cross-check switch (0 unless the tree is wrong).</summary>
    public uint CrossCheckFailures;

    /// <summary>Growths so far.</summary>
    public uint Grows;

    /// <summary>Segments given back so far.</summary>
    public uint Releases;

    /// <summary>Free-tree links refused so far (<see cref="HeapStatus.BadFreeLink"/>): each was followed by a rebuild of the tree.</summary>
    public uint BadLinks;

    /// <summary>Bytes of the spare segment (a wholly free grown segment kept for the next growth), 0 when none.</summary>
    public uint SpareBytes;
}

/// <summary>The result of an integrity walk: <see cref="HeapStatus.Ok"/>, or the first problem and where.</summary>
public readonly struct HeapCheck
{
    /// <summary>What was found.</summary>
    public readonly HeapStatus Status;

    /// <summary>Where (a block or control-block address), 0 when Ok.</summary>
    public readonly uint Address;

    /// <summary>Blocks walked (allocated and free).</summary>
    public readonly uint BlocksWalked;

    /// <summary>Creates a result.</summary>
    public HeapCheck(HeapStatus status, uint address, uint blocksWalked)
    {
        Status = status;
        Address = address;
        BlocksWalked = blocksWalked;
    }

    /// <summary>True when the walk found nothing wrong.</summary>
    public bool IsOk => Status == HeapStatus.Ok;
}
