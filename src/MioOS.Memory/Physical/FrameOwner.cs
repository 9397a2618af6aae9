namespace MioOS.Memory.Physical;

/// <summary>
/// Who holds a live allocation of frames. Only the holder gives it back: a <c>free_frame</c> from the kernel of a
/// run the VMM holds as a page table, or the heap as a segment, is refused with <see cref="PmmStatus.NotOwner"/>,
/// so a stray free can never hand the live page directory out again.
/// </summary>
public enum FrameOwner : byte
{
    /// <summary>Whoever called <c>alloc_frame</c> (the kernel): the default of the public calls.</summary>
    Caller,

    /// <summary>The VMM: a page directory or page table.</summary>
    PageTables,

    /// <summary>The kernel heap: a grown segment.</summary>
    HeapSegments,
}
