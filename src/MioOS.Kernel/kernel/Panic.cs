namespace MioOS.Kernel;

/// <summary>The way out: report on COM1 and leave QEMU through isa-debug-exit with the failure code.</summary>
internal static class Panic
{
    /// <summary>isa-debug-exit port (iobase=0xf4): QEMU exits with status (value &lt;&lt; 1) | 1.</summary>
    private const uint DebugExitPort = 0xF4;

    /// <summary>Written on success: QEMU exit status 33.</summary>
    public const uint ExitPass = 0x10;

    /// <summary>Written on failure or panic: QEMU exit status 35.</summary>
    public const uint ExitFail = 0x11;

    /// <summary>
    /// Written when the machine cannot run the kernel, after one line on COM1 that says why: QEMU exit status 37.
    /// The entry stub writes it for a CPU without CPUID, FXSR, SSE or SSE2 (boot/entry.asm, before any C# runs:
    /// "MIOOS CPU UNSUPPORTED: no ..."); the battery writes it when the PMM finds too little RAM for the kernel, its
    /// heap and the metadata ("MIOOS MEMORY UNSUPPORTED: ...", <see cref="Battery.SmallestMachineMiB"/>).
    /// </summary>
    public const uint ExitUnsupported = 0x12;

    public static void Halt(string message)
    {
        Serial.Write("PANIC: ");
        Serial.WriteLine(message);
        Exit(ExitFail);
    }

    public static void Halt(string message, ulong value)
    {
        Serial.Write("PANIC: ");
        Serial.Write(message);
        Serial.Write(' ');
        Serial.WriteHex(value);
        Serial.WriteLine();
        Exit(ExitFail);
    }

    /// <summary>Leaves QEMU with <paramref name="code"/>; halts for good on a machine without the device.</summary>
    public static void Exit(uint code)
    {
        Native.OutB(DebugExitPort, code);
        Native.Halt();
    }

    /// <summary>The metal memory window's violation hook: an access the window cannot reach.</summary>
    public static void WindowViolation(nint context, ulong address, ulong length)
    {
        Serial.Write("PANIC: memory window cannot reach ");
        Serial.WriteHex(address);
        Serial.Write(" + ");
        Serial.WriteHex(length);
        Serial.WriteLine();
        Exit(ExitFail);
    }
}
