using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

/// <summary>
/// The VMM's lock: the <c>int</c> in its record, taken through the platform's <see cref="LayerLock"/> hook at rank
/// <see cref="LockRank.Vmm"/>, between the heap and the PMM. Held while the VMM takes or gives back page-table frames
/// (VMM, then PMM); every public call takes it once, and calls made inside the VMM go to the unlocked bodies.
/// </summary>
internal static class VmmLock
{
    /// <summary>Takes the lock; the token (the saved interrupt state on the metal) goes back to <see cref="Exit"/>.</summary>
    public static uint Enter(ref int word) => LayerLock.Enter(ref word, LockRank.Vmm);

    /// <summary>Releases the lock and restores what <see cref="Enter"/> saved.</summary>
    public static void Exit(ref int word, uint token) => LayerLock.Exit(ref word, LockRank.Vmm, token);
}
