using System.Threading;

namespace MioOS.Memory.Platform;

/// <summary>
/// Whose lock: the heap, the VMM or the PMM. The values are the one order the locks are taken in: a layer takes
/// its lock only while every lock its CPU (or thread) holds has a lower rank, so heap, then VMM, then PMM.
/// </summary>
/// <remarks>What keeps the order a line: the heap holds its lock while it grows (heap, then PMM, then VMM to map
/// the segment); the VMM holds its lock while it takes or gives back page-table frames (VMM, then PMM); the PMM,
/// at the bottom, never calls out while it holds its lock: an identity-mapped allocation is reserved under the
/// lock, mapped with it dropped, then marked under it again, and a free of one is unmapped before its frames go
/// back (docs/design.md, "Locks").</remarks>
public enum LockRank : uint
{
    /// <summary>The kernel heap's lock (taken first).</summary>
    Heap = 1,

    /// <summary>The VMM's lock.</summary>
    Vmm = 2,

    /// <summary>The PMM's lock (taken last).</summary>
    Pmm = 3,
}

/// <summary>
/// The lock hook every layer takes its lock through. The lock word (0 free, 1 held) lives in the layer's own
/// control block; what taking it means is the platform's: on the metal it also keeps interrupts off on that CPU
/// while held (EFLAGS.IF saved and restored), hosted it is a spin-then-yield lock threads contend on, and a
/// user-space host may plug in a futex or anything else that keeps the word protocol.
/// </summary>
/// <remarks>
/// <para>A host installs its pair once, before the first layer comes up (<see cref="Install"/>); until then, and
/// where nothing is installed, the built-in test-and-test-and-set spin lock serves (<see cref="Spin"/>,
/// <see cref="Release"/>): one <c>lock cmpxchg</c> uncontended, no interrupt handling. Hooks are plain function
/// pointers, so the core stays in the kernel subset and the lock is not tied to the i386 CPU seam.</para>
/// <para>Contract for a hook: <c>enter(word, rank)</c> returns once the caller holds the word (it set it from 0 to
/// 1 with an atomic compare-and-exchange) and returns a token, which <c>exit(word, rank, token)</c> gets back after
/// the word is released (set to 0 with an atomic exchange, a full barrier). Hooks never call into the memory
/// manager. Locks do not nest within a layer: a layer's public calls take its lock once, at the outside.</para>
/// </remarks>
public static unsafe class LayerLock
{
    private static delegate*<ref int, LockRank, uint> s_enter;
    private static delegate*<ref int, LockRank, uint, void> s_exit;

    /// <summary>Installs the platform's lock: <paramref name="enter"/> takes a word and returns a token (the
    /// saved interrupt state on the metal), <paramref name="exit"/> releases it and restores from the token.
    /// Both null: the built-in spin lock again.</summary>
    /// <remarks>Contract: called while no layer's lock is held (before bring-up), since a lock taken by one pair
    /// is released by the other.</remarks>
    public static void Install(delegate*<ref int, LockRank, uint> enter, delegate*<ref int, LockRank, uint, void> exit)
    {
        s_enter = enter;
        s_exit = exit;
    }

    /// <summary>True when a platform lock is installed (else the built-in spin lock serves).</summary>
    public static bool IsInstalled => s_enter != null;

    /// <summary>Takes the lock word <paramref name="word"/> of layer <paramref name="rank"/>; the token goes to
    /// <see cref="Exit"/>.</summary>
    public static uint Enter(ref int word, LockRank rank)
    {
        delegate*<ref int, LockRank, uint> enter = s_enter;
        if (enter != null)
            return enter(ref word, rank);
        Spin(ref word);
        return 0;
    }

    /// <summary>Releases the lock word <paramref name="word"/> taken by <see cref="Enter"/>, which returned
    /// <paramref name="token"/>.</summary>
    public static void Exit(ref int word, LockRank rank, uint token)
    {
        delegate*<ref int, LockRank, uint, void> exit = s_exit;
        if (exit != null)
            exit(ref word, rank, token);
        else
            Release(ref word);
    }

    /// <summary>One attempt: true when the word went from 0 to 1 (the caller holds it now).</summary>
    public static bool TryAcquire(ref int word) => Interlocked.CompareExchange(ref word, 1, 0) == 0;

    /// <summary>Test-and-test-and-set: spins on plain reads while the word is held, so waiting CPUs do not
    /// bounce its cache line with locked writes.</summary>
    public static void Spin(ref int word)
    {
        while (!TryAcquire(ref word))
        {
            while (Volatile.Read(ref word) != 0)
            {
            }
        }
    }

    /// <summary>Releases the word with a plain release store, not a second locked instruction: x86 keeps stores in
    /// order with the critical section's loads and stores before them (SDM vol. 3, "Memory Ordering"), which is all an unlock
    /// needs (as Linux's x86 spin_unlock), so an uncontended Enter/Exit pair costs one atomic.</summary>
    public static void Release(ref int word) => Volatile.Write(ref word, 0);
}
