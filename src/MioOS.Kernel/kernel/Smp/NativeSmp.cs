using System.Runtime.InteropServices;

namespace MioOS.Kernel.Smp;

/// <summary>The helpers of <c>boot/entry.asm</c> and <c>boot/ap_start.inc</c> for several CPUs, cdecl.</summary>
internal static unsafe class NativeSmp
{
    /// <summary>Copies the AP trampoline to <paramref name="page"/> (below 1 MiB) and fills the shared parameters
    /// (far jump, GDT, this CPU's CR0/CR3/CR4, entry point); returns the parameter block's address.</summary>
    [DllImport("*", EntryPoint = "mio_ap_trampoline_copy", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern ApStartParams* CopyTrampoline(uint page);

    /// <summary>Interrupts on, then halt until one arrives.</summary>
    [DllImport("*", EntryPoint = "mio_idle", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void Idle();

    /// <summary>The spin-wait hint.</summary>
    [DllImport("*", EntryPoint = "mio_pause", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void Pause();

    /// <summary>Drops every translation this CPU caches, global ones included.</summary>
    [DllImport("*", EntryPoint = "mio_flush_tlb", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void FlushTlb();
}

/// <summary>The trampoline's parameter block (<c>ap_params</c> in <c>boot/ap_start.inc</c>, same layout).</summary>
[StructLayout(LayoutKind.Explicit, Size = 44)]
internal struct ApStartParams
{
    [FieldOffset(24)] public uint StackTop;
    [FieldOffset(32)] public uint CpuIndex;
    [FieldOffset(40)] public uint Started;
}
