namespace MioOS.Kernel.Smp;

/// <summary>
/// Busy waits timed by the PC's interval timer, channel 2 (the speaker's, gated through port 0x61 with the speaker
/// off): a one-shot count whose output bit (port 0x61 bit 5) rises when it reaches zero (8254 mode 0). Used for the
/// waits the AP start-up protocol asks for (SDM vol. 3, 8.4.4.1), before any other timer is set up.
/// </summary>
internal static class PitDelay
{
    /// <summary>The 8254's input clock, Hz.</summary>
    private const uint InputHz = 1193182;

    /// <summary>The longest single count: 16 bits of ticks, about 54 ms.</summary>
    private const uint MaxTicks = 0xFFFF;

    private const uint Control = 0x43, Channel2 = 0x42, Gate = 0x61;

    /// <summary>Waits at least <paramref name="microseconds"/>.</summary>
    public static void Microseconds(uint microseconds)
    {
        ulong ticks = ((ulong)microseconds * InputHz + 999999) / 1000000;
        while (ticks > 0)
        {
            uint now = ticks > MaxTicks ? MaxTicks : (uint)ticks;
            Count(now);
            ticks -= now;
        }
    }

    /// <summary>Waits <paramref name="milliseconds"/>.</summary>
    public static void Milliseconds(uint milliseconds) => Microseconds(milliseconds * 1000);

    private static void Count(uint ticks)
    {
        Native.OutB(Gate, (Native.InB(Gate) & ~2u) | 1u); // speaker data off, channel 2 gate on
        Native.OutB(Control, 0xB0);                      // channel 2, low then high byte, mode 0, binary
        Native.OutB(Channel2, ticks & 0xFF);
        Native.OutB(Channel2, ticks >> 8);
        while ((Native.InB(Gate) & 0x20) == 0)
        {
        }
    }
}
