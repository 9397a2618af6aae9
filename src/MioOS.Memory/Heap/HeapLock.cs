using System.Threading;

namespace MioOS.Memory.Heap;

/// <summary>
/// A test-and-test-and-set spin lock on an <c>int</c> in heap memory. Hosted it is
/// <see cref="Interlocked.CompareExchange(ref int, int, int)"/> (<c>lock cmpxchg</c>); the kernel's core library
/// must provide <c>Interlocked.CompareExchange</c>/<c>Exchange</c> and <c>Volatile.Read</c> for int as
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

    public static void Exit(ref int word) => Interlocked.Exchange(ref word, 0);
}
