using System.Runtime.InteropServices;

namespace MioOS.Kernel.Smp;

/// <summary>The helpers of <c>boot/entry.asm</c> for several CPUs, cdecl.</summary>
internal static unsafe class NativeSmp
{
    /// <summary>The spin-wait hint.</summary>
    [DllImport("*", EntryPoint = "mio_pause", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void Pause();
}
