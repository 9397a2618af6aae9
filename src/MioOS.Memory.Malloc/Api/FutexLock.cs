using System.Runtime.InteropServices;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Malloc;

/// <summary>
/// The heap's lock in the malloc library, installed into the core's <see cref="LayerLock"/> hook before the heap
/// is created: a futex lock (native/lock.c) that keeps the hook's word protocol (0 free, 1 held, taken by
/// compare-and-exchange, released by exchange) and puts waiters to sleep in the kernel after a short spin, so a
/// thread preempted while it holds the heap does not make the others burn their cores.
/// </summary>
internal static unsafe class FutexLock
{
    [DllImport("*", EntryPoint = "mioos_futex_lock", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern void Lock(int* word);

    [DllImport("*", EntryPoint = "mioos_futex_unlock", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern void Unlock(int* word);

    public static void Install() => LayerLock.Install(&Enter, &Exit);

    private static uint Enter(ref int word, LockRank rank)
    {
        fixed (int* w = &word)
            Lock(w);
        return 0;
    }

    private static void Exit(ref int word, LockRank rank, uint token)
    {
        fixed (int* w = &word)
            Unlock(w);
    }
}
