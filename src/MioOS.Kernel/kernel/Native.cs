using System.Runtime.InteropServices;

namespace MioOS.Kernel;

/// <summary>The asm helpers of <c>boot/entry.asm</c>: port I/O, control registers, CPUID, halt. Called
/// directly (no marshalling, no GC transition), cdecl.</summary>
internal static unsafe class Native
{
    [DllImport("*", EntryPoint = "mio_outb", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void OutB(uint port, uint value);

    [DllImport("*", EntryPoint = "mio_inb", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint InB(uint port);

    [DllImport("*", EntryPoint = "mio_read_cr0", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint ReadCr0();

    [DllImport("*", EntryPoint = "mio_write_cr0", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void WriteCr0(uint value);

    [DllImport("*", EntryPoint = "mio_read_cr2", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint ReadCr2();

    [DllImport("*", EntryPoint = "mio_read_cr3", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint ReadCr3();

    [DllImport("*", EntryPoint = "mio_write_cr3", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void WriteCr3(uint value);

    [DllImport("*", EntryPoint = "mio_read_cr4", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint ReadCr4();

    [DllImport("*", EntryPoint = "mio_write_cr4", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void WriteCr4(uint value);

    [DllImport("*", EntryPoint = "mio_invlpg", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void InvalidatePage(uint linear);

    /// <summary>EFLAGS as it was, with interrupts now off (<c>pushfd; cli</c>).</summary>
    [DllImport("*", EntryPoint = "mio_irq_save", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint SaveInterruptsAndDisable();

    /// <summary>Sets IF again only when <paramref name="eflags"/> (from <see cref="SaveInterruptsAndDisable"/>) had it.</summary>
    [DllImport("*", EntryPoint = "mio_irq_restore", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void RestoreInterrupts(uint eflags);

    /// <summary>EFLAGS (bit 9 is IF).</summary>
    [DllImport("*", EntryPoint = "mio_read_eflags", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint ReadEflags();

    /// <summary>CPUID leaf/subleaf into regs[0..3] = EAX, EBX, ECX, EDX.</summary>
    [DllImport("*", EntryPoint = "mio_cpuid", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void Cpuid(uint leaf, uint subleaf, uint* regs);

    /// <summary>Stops the CPU for good (cli; hlt in a loop).</summary>
    [DllImport("*", EntryPoint = "mio_halt", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void Halt();

    /// <summary>The first byte after the kernel image (bss included): a linker symbol.</summary>
    [DllImport("*", EntryPoint = "mio_image_end", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint ImageEnd();

    /// <summary>The first byte of the kernel image (its load address).</summary>
    [DllImport("*", EntryPoint = "mio_image_base", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint ImageBase();
}

/// <summary>Trap and probe helpers of <c>boot/entry.asm</c>.</summary>
internal static unsafe class NativeTraps
{
    /// <summary>Fills the IDT's 32 exception gates and loads IDTR.</summary>
    [DllImport("*", EntryPoint = "mio_idt_install", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void InstallIdt();

    /// <summary>Reads the uint at <paramref name="address"/>; 0 when the read faulted (the handler resumed at the fix-up).</summary>
    [DllImport("*", EntryPoint = "mio_probe_read", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint ProbeRead(uint address, uint* value);

    /// <summary>Writes <paramref name="value"/> at <paramref name="address"/>; 0 when the write faulted.</summary>
    [DllImport("*", EntryPoint = "mio_probe_write", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint ProbeWrite(uint address, uint value);

    /// <summary>The address of the read (0) or write (1) probe's faulting instruction.</summary>
    [DllImport("*", EntryPoint = "mio_probe_fault_ip", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint ProbeFaultIp(uint which);

    /// <summary>Where a faulted probe resumes (returns 0).</summary>
    [DllImport("*", EntryPoint = "mio_probe_fixup_ip", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint ProbeFixupIp();
}

/// <summary>Helpers that let the test harness check how it reports a broken kernel.</summary>
internal static class NativeHarness
{
    [DllImport("*", EntryPoint = "mio_triple_fault", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern void TripleFault();
}

/// <summary>What the startup code needs from the image.</summary>
internal static class NativeImage
{
    /// <summary>The address of ILC's ReadyToRun header.</summary>
    [DllImport("*", EntryPoint = "mio_readytorun_header", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern uint ReadyToRunHeader();
}
