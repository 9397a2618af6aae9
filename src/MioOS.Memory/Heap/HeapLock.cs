using System.Threading;

namespace MioOS.Memory.Heap;

/// <summary>
/// A test-and-test-and-set spin lock on an <c>int</c> in heap memory. Hosted it is
/// <see cref="Interlocked.CompareExchange(ref int, int, int)"/> (<c>lock cmpxchg</c>); the kernel's core library
/// must provide <c>Interlocked.CompareExchange</c> and <c>Volatile.Read</c>/<c>Write</c> for int as
/// intrinsics (or tiny asm helpers) for the same code to link.
/// </summary>
internal static class HeapLock
{
    public static void Enter(ref int word)
    {
        while (Interlocked.CompareExchange(ref word, 1, 0) != 0)
        {
            while (Volatile.Read(ref word) != 0)
            {
            }
        }
    }

    /// <summary>A plain release store, not a second locked instruction: x86 keeps stores in order with the
    /// critical section's loads and stores before them (SDM vol. 3, 9.2.2), which is all an unlock needs (as
    /// Linux's x86 spin_unlock). So an uncontended Enter/Exit pair costs one atomic.</summary>
    public static void Exit(ref int word) => Volatile.Write(ref word, 0);
}
