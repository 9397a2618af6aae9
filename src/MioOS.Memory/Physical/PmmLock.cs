using MioOS.Memory.Platform;

namespace MioOS.Memory.Physical;

/// <summary>
/// The PMM's lock: the <c>int</c> in its control block, taken through the platform's <see cref="LayerLock"/> hook at
/// rank <see cref="LockRank.Pmm"/>, the last of heap, VMM, PMM. The PMM never calls out while it holds it: the frame
/// mapper (the VMM, which takes page-table frames from this PMM) runs with it dropped.
/// </summary>
internal static class PmmLock
{
    /// <summary>Takes the lock; the token (the saved interrupt state on the metal) goes back to <see cref="Exit"/>.</summary>
    public static uint Enter(ref int word) => LayerLock.Enter(ref word, LockRank.Pmm);

    /// <summary>Releases the lock and restores what <see cref="Enter"/> saved.</summary>
    public static void Exit(ref int word, uint token) => LayerLock.Exit(ref word, LockRank.Pmm, token);
}
