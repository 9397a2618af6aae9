namespace MioOS.Memory.Boot;

/// <summary>
/// A range of physical memory the PMM never hands out: <see cref="Length"/> bytes from <see cref="Base"/>, holding
/// <see cref="Kind"/>. The multiboot readers report what the loader wrote in this shape; the PMM adds its own
/// layout and keeps the list in its metadata area for reports and the integrity walk.
/// </summary>
public struct ReservedRange
{
    /// <summary>First byte.</summary>
    public ulong Base;

    /// <summary>Bytes.</summary>
    public ulong Length;

    /// <summary>What it holds.</summary>
    public ReservedKind Kind;

    /// <summary>Creates a range.</summary>
    public ReservedRange(ulong baseAddress, ulong length, ReservedKind kind)
    {
        Base = baseAddress;
        Length = length;
        Kind = kind;
    }

    /// <summary>True for what the loader wrote (boot information and modules), which the kernel keeps readable.</summary>
    public readonly bool IsBootData => Kind >= ReservedKind.InfoBlock;
}
