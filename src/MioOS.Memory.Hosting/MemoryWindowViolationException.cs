using System;

namespace MioOS.Memory.Hosting;

/// <summary>
/// Thrown when the core touches an address outside what its memory window reaches: past the simulated RAM, or
/// past 4 GiB of linear space with paging on (on the metal: a wild access).
/// </summary>
public sealed class MemoryWindowViolationException(ulong address, ulong length, ulong limit)
    : Exception($"access to [0x{address:X}, +0x{length:X}) outside the memory window (which ends at 0x{limit:X})")
{
    /// <summary>The first byte of the access.</summary>
    public ulong Address { get; } = address;

    /// <summary>Bytes of the access.</summary>
    public ulong Length { get; } = length;
}
