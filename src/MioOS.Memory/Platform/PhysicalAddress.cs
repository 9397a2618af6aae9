namespace MioOS.Memory.Platform;

/// <summary>
/// A physical address. 64 bits wide: with PSE-36 a 32-bit CPU reaches RAM above 4 GiB, and firmware maps
/// name addresses far beyond that.
/// </summary>
public readonly struct PhysicalAddress
{
    /// <summary>The raw address.</summary>
    public readonly ulong Value;

    /// <summary>Wraps a raw physical address.</summary>
    public PhysicalAddress(ulong value) => Value = value;

    /// <summary>The null physical address, used as "no address" by allocation results.</summary>
    public static PhysicalAddress Null => default;

    /// <summary>True for address 0, which the PMM never hands out (it lies in the low 1 MiB).</summary>
    public bool IsNull => Value == 0;

    /// <summary>The 4 KiB frame number of this address.</summary>
    public ulong FrameNumber => Value >> Frames.Shift;

    /// <summary>True when the address is at a 4 KiB frame boundary.</summary>
    public bool IsFrameAligned => (Value & Frames.OffsetMask) == 0;

    /// <summary>The address of the first byte of frame <paramref name="frame"/>.</summary>
    public static PhysicalAddress OfFrame(ulong frame) => new(frame << Frames.Shift);
}
