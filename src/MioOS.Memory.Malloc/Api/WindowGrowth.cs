using System.Runtime.InteropServices;
using MioOS.Memory.Heap;

namespace MioOS.Memory.Malloc;

/// <summary>
/// The heap's growth source in the malloc library: ranges of the reserved address window, made readable and
/// writable when handed out and returned to the system (MADV_DONTNEED, PROT_NONE) when the heap gives them back
/// (native/window.c). Called with the heap's lock held.
/// </summary>
internal struct WindowGrowth : IHeapGrowth
{
    [DllImport("*", EntryPoint = "mioos_window_grow", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern unsafe int Grow(uint minBytes, uint* start, uint* length);

    [DllImport("*", EntryPoint = "mioos_window_release", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern void GiveBack(uint start, uint length);

    /// <inheritdoc/>
    public unsafe bool TryGrow(uint minBytes, out uint start, out uint length)
    {
        uint s, l;
        bool ok = Grow(minBytes, &s, &l) != 0;
        start = ok ? s : 0;
        length = ok ? l : 0;
        return ok;
    }

    /// <inheritdoc/>
    public void Release(uint start, uint length) => GiveBack(start, length);
}
