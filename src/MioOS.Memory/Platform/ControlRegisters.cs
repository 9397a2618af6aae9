namespace MioOS.Memory.Platform;

/// <summary>
/// The control-register bits the subsystem reads or sets (Intel SDM vol. 3, 2.5 "Control Registers"), in one
/// place for the core's VMM, the simulated CPU and the bare-metal kernel.
/// </summary>
public static class ControlRegisters
{
    /// <summary>CR0.PE, bit 0: protected mode.</summary>
    public const uint Cr0ProtectionEnable = 1u << 0;

    /// <summary>CR0.MP, bit 1: WAIT/FWAIT honour CR0.TS (set, with EM clear, for SSE; SDM vol. 3, 13.1.3).</summary>
    public const uint Cr0MonitorCoprocessor = 1u << 1;

    /// <summary>CR0.EM, bit 2: no x87 unit; SSE instructions fault with #UD while it is set.</summary>
    public const uint Cr0Emulation = 1u << 2;

    /// <summary>CR0.WP, bit 16: supervisor writes honour R/W (SDM vol. 3, 4.6).</summary>
    public const uint Cr0WriteProtect = 1u << 16;

    /// <summary>CR0.PG, bit 31: paging.</summary>
    public const uint Cr0Paging = 1u << 31;

    /// <summary>CR4.PSE, bit 4: 4 MiB pages in 32-bit paging.</summary>
    public const uint Cr4PageSizeExtensions = 1u << 4;

    /// <summary>CR4.PAE, bit 5: PAE paging (never set by this VMM).</summary>
    public const uint Cr4PhysicalAddressExtension = 1u << 5;

    /// <summary>CR4.PGE, bit 7: global pages.</summary>
    public const uint Cr4PageGlobalEnable = 1u << 7;

    /// <summary>CR4.OSFXSR, bit 9: the OS saves SSE state with FXSAVE; SSE instructions fault with #UD while clear.</summary>
    public const uint Cr4Osfxsr = 1u << 9;

    /// <summary>CR4.OSXMMEXCPT, bit 10: unmasked SSE floating-point exceptions raise #XM.</summary>
    public const uint Cr4Osxmmexcpt = 1u << 10;

    /// <summary>CR4.SMEP, bit 20: supervisor-mode execution prevention.</summary>
    public const uint Cr4Smep = 1u << 20;
}
