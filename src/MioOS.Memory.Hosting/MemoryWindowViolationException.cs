using System;

namespace MioOS.Memory.Hosting;

/// <summary>
/// Thrown when the core touches an address outside what its memory window reaches: past the simulated RAM, or
/// past 4 GiB of linear space with paging on (on the metal: a wild access).
/// </summary>
public sealed class MemoryWindowViolationException : Exception
{
    /// <summary>Creates the exception for an access of <paramref name="length"/> bytes at <paramref name="address"/>
    /// against a window ending at <paramref name="limit"/>.</summary>
    public MemoryWindowViolationException(ulong address, ulong length, ulong limit)
        : base($"access to [0x{address:X}, +0x{length:X}) outside the memory window (which ends at 0x{limit:X})")
    {
        Address = address;
        Length = length;
        // Like a page fault, it ends every call in progress on this thread; their locks stay held.
        Locks.HostedLock.AbandonHeldLocks();
    }

    /// <summary>The first byte of the access.</summary>
    public ulong Address { get; }

    /// <summary>Bytes of the access.</summary>
    public ulong Length { get; }
}
