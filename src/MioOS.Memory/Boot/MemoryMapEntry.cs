namespace MioOS.Memory.Boot;

/// <summary>
/// One range of a memory map: <see cref="Length"/> bytes from <see cref="Base"/>. <see cref="Type"/> is the raw
/// firmware number before sanitising and a <see cref="MemoryType"/> value after.
/// </summary>
public struct MemoryMapEntry
{
    /// <summary>First byte of the range.</summary>
    public ulong Base;

    /// <summary>Bytes in the range. A range may end exactly at 2^64, so <c>Base + Length</c> can be 0.</summary>
    public ulong Length;

    /// <summary>Raw type number (e820 / multiboot), or a <see cref="MemoryType"/> once sanitised.</summary>
    public uint Type;

    /// <summary>Creates an entry.</summary>
    public MemoryMapEntry(ulong baseAddress, ulong length, uint type)
    {
        Base = baseAddress;
        Length = length;
        Type = type;
    }

    /// <summary>The last byte of the range (the range must not be empty).</summary>
    public readonly ulong Last => Base + (Length - 1);

    /// <summary>The sanitised type.</summary>
    public readonly MemoryType Kind => (MemoryType)Type;
}
