using MioOS.Memory.Platform;

namespace MioOS.Memory.Heap;

/// <summary>
/// The heap's lock: the <c>int</c> in its control block, taken through the platform's <see cref="LayerLock"/> hook
/// at rank <see cref="LockRank.Heap"/> (the first of heap, VMM, PMM). Held while the heap grows or gives a segment
/// back, so growth runs heap, then PMM, then VMM; never taken twice by one call.
/// </summary>
internal static class HeapLock
{
    /// <summary>Takes the lock; the token (the saved interrupt state on the metal) goes back to <see cref="Exit"/>.</summary>
    public static uint Enter(ref int word) => LayerLock.Enter(ref word, LockRank.Heap);

    /// <summary>Releases the lock and restores what <see cref="Enter"/> saved.</summary>
    public static void Exit(ref int word, uint token) => LayerLock.Exit(ref word, LockRank.Heap, token);
}
