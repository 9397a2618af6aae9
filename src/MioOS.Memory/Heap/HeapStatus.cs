namespace MioOS.Memory.Heap;

/// <summary>What a heap call or an integrity walk found. Misuse kinds are refused, counted and remembered
/// (with the address) in the heap's control block; the heap stays usable.</summary>
public enum HeapStatus : uint
{
    /// <summary>All is well.</summary>
    Ok = 0,

    /// <summary>No free block fits and the growth source gave nothing (the heap is unchanged).</summary>
    OutOfMemory,

    /// <summary>The request is larger than <see cref="HeapLayout.MaxRequest"/>, or <c>num * size</c> overflowed.</summary>
    SizeOverflow,

    /// <summary>The alignment is not a power of two.</summary>
    InvalidAlignment,

    /// <summary>Misuse: the pointer lies in no heap segment.</summary>
    ForeignPointer,

    /// <summary>Misuse: the pointer is not a multiple of the heap's granule (<see cref="HeapLayout.KernelGranule"/>
    /// for the kernel).</summary>
    MisalignedPointer,

    /// <summary>Misuse: the pointer lies inside the heap but is not the start of a block (an interior pointer).</summary>
    NotABlockStart,

    /// <summary>Misuse: the block is already free.</summary>
    DoubleFree,

    /// <summary>Corruption: a block header (size, flags or check word) was overwritten, e.g. by an overrun of the block before it.</summary>
    HeaderCorrupted,

    /// <summary>Corruption: the blocks of a segment do not tile it (a size runs past the segment end, or the last flag is wrong).</summary>
    BlockOrderBroken,

    /// <summary>Corruption: two neighbouring blocks are both free (they should have been coalesced).</summary>
    AdjacentFreeBlocks,

    /// <summary>Corruption: the counters in the control block do not match the blocks.</summary>
    TotalsMismatch,

    /// <summary>Corruption: the free tree is malformed or does not hold exactly the free blocks.</summary>
    TreeMismatch,

    /// <summary>Corruption: the segment table or the control block is damaged.</summary>
    ControlCorrupted,

    /// <summary>The cross-check switch found the tree's answer differing from the linear first-fit scan.</summary>
    CrossCheckMismatch,

    /// <summary>The growth source returned a range the heap cannot use (misaligned, too small, overlapping).</summary>
    BadGrowth,
}

/// <summary>Options fixed when the heap is created.</summary>
[System.Flags]
public enum HeapOptions : uint
{
    /// <summary>Nothing extra.</summary>
    None = 0,

    /// <summary>Test switch: every placement found through the free tree is checked against a linear first-fit
    /// scan of the block list (as Linux's DEBUG_AUGMENT_LOWEST_MATCH_CHECK). O(n) per call.</summary>
    CrossCheck = 1,
}
