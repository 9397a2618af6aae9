namespace MioOS.Kernel.Smp;

/// <summary>
/// The local APIC of the CPU that runs the code, through its registers mapped uncached by <see cref="DeviceWindow"/>
/// (xAPIC mode, SDM vol. 3, 10.4). Every CPU sees its own APIC at the same address.
/// </summary>
internal static unsafe class LocalApic
{
    /// <summary>Register offsets (SDM vol. 3, table 10-1).</summary>
    private const uint IdRegister = 0x20, TaskPriority = 0x80, EndOfInterrupt = 0xB0, SpuriousVector = 0xF0,
        ErrorStatus = 0x280, CommandLow = 0x300, CommandHigh = 0x310;

    /// <summary>SVR bit 8: the APIC software-enabled (10.9).</summary>
    private const uint SoftwareEnable = 1u << 8;

    /// <summary>ICR bits (10.6.1): delivery mode INIT (101b) and start-up (110b), level assert, delivery pending.</summary>
    private const uint DeliveryInit = 5u << 8, DeliveryStartUp = 6u << 8, LevelAssert = 1u << 14, DeliveryPending = 1u << 12;

    /// <summary>The spurious-interrupt vector, whose handler returns without an EOI (boot/entry.asm).</summary>
    public const uint SpuriousInterruptVector = 0xFF;

    private static uint s_base;

    /// <summary>True once the registers are mapped.</summary>
    public static bool IsMapped => s_base != 0;

    /// <summary>Uses the registers mapped at <paramref name="virtualBase"/>.</summary>
    public static void Attach(uint virtualBase) => s_base = virtualBase;

    private static uint Read(uint register) => *(uint*)(s_base + register);

    private static void Write(uint register, uint value) => *(uint*)(s_base + register) = value;

    /// <summary>This CPU's APIC ID (bits 31:24 of the ID register).</summary>
    public static uint Id => Read(IdRegister) >> 24;

    /// <summary>Software-enables this CPU's APIC with the spurious vector and accepts every priority.</summary>
    public static void Enable()
    {
        Write(SpuriousVector, SoftwareEnable | SpuriousInterruptVector);
        Write(TaskPriority, 0);
        Write(ErrorStatus, 0); // the ESR is cleared by a write before it is read (10.5.3)
    }

    /// <summary>Signals the end of the interrupt being handled.</summary>
    public static void EndOfInterruptSignal() => Write(EndOfInterrupt, 0);

    /// <summary>A fixed interrupt <paramref name="vector"/> to the CPU with APIC ID <paramref name="apicId"/>.</summary>
    public static void SendFixed(uint apicId, uint vector) => Send(apicId, LevelAssert | vector);

    /// <summary>An INIT IPI (assert) to <paramref name="apicId"/>.</summary>
    public static void SendInit(uint apicId) => Send(apicId, DeliveryInit | LevelAssert);

    /// <summary>A start-up IPI: the AP starts in real mode at <paramref name="page"/> x 4 KiB (below 1 MiB).</summary>
    public static void SendStartUp(uint apicId, uint page) => Send(apicId, DeliveryStartUp | LevelAssert | (page & 0xFF));

    private static void Send(uint apicId, uint command)
    {
        WaitUntilSent();
        Write(CommandHigh, apicId << 24); // physical destination mode, no shorthand
        Write(CommandLow, command);       // writing the low word sends it
        WaitUntilSent();
    }

    private static void WaitUntilSent()
    {
        while ((Read(CommandLow) & DeliveryPending) != 0)
            NativeSmp.Pause();
    }
}
