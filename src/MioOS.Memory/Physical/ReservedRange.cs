using MioOS.Memory.Boot;

namespace MioOS.Memory.Physical;

/// <summary>A range the PMM never hands out, kept in the metadata area for reports and the integrity walk.</summary>
public struct ReservedRange
{
    /// <summary>First byte (frame-aligned).</summary>
    public ulong Base;

    /// <summary>Bytes (whole frames).</summary>
    public ulong Length;

    /// <summary>What it is.</summary>
    public ReservedKind Kind;

    /// <summary>Creates a range.</summary>
    public ReservedRange(ulong baseAddress, ulong length, ReservedKind kind)
    {
        Base = baseAddress;
        Length = length;
        Kind = kind;
    }
}
