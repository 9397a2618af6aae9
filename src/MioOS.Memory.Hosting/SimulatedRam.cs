using System;
using System.Runtime.InteropServices;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Hosting;

/// <summary>
/// The simulated PC's physical memory: one sparse reservation of host memory (mmap with MAP_NORESERVE) indexed
/// by physical address. Untouched pages cost nothing, so a machine with high memory backs its whole range.
/// </summary>
public sealed unsafe class SimulatedRam : IDisposable
{
    /// <summary>The most address space one machine reserves (a 2 TiB reservation was measured to succeed).</summary>
    public const ulong MaxSize = 2ul << 40;

    private byte* _base;

    // Whatever runs the core over simulated RAM takes the layers' locks as a hosted thread should.
    static SimulatedRam() => Locks.HostedLock.Install();

    /// <summary>Reserves <paramref name="size"/> bytes of zeroed physical memory starting at address 0.</summary>
    public SimulatedRam(ulong size)
    {
        if (size == 0 || size > MaxSize)
            throw new ArgumentOutOfRangeException(nameof(size), $"simulated RAM must be between 1 byte and {MaxSize >> 40} TiB");
        Size = (size + 0xFFFFF) & ~0xFFFFFul;
        nint p = Native.mmap(0, (nuint)Size, Native.ProtRead | Native.ProtWrite,
            Native.MapPrivate | Native.MapAnonymous | Native.MapNoReserve, -1, 0);
        if (p == -1)
            throw new OutOfMemoryException($"could not reserve {Size:N0} bytes of host address space for simulated RAM (errno {Marshal.GetLastPInvokeError()})");
        _base = (byte*)p;
    }

    /// <summary>Where physical address 0 is in the host.</summary>
    public byte* Base => _base != null ? _base : throw new ObjectDisposedException(nameof(SimulatedRam));

    /// <summary>The first physical address not backed.</summary>
    public ulong Size { get; }

    /// <summary>A direct window over the whole RAM; an access outside it throws <see cref="MemoryWindowViolationException"/>.</summary>
    public MemoryWindow DirectWindow => new(Base, Size, &Violation, 0);

    /// <summary>The bytes at [address, address + length) as a span (bounds-checked).</summary>
    public Span<byte> Bytes(ulong address, int length)
    {
        if (length < 0 || address > Size || (ulong)length > Size - address)
            throw new MemoryWindowViolationException(address, (ulong)length, Size);
        return new Span<byte>(Base + address, length);
    }

    /// <summary>Copies <paramref name="data"/> to <paramref name="address"/>.</summary>
    public void Write(ulong address, ReadOnlySpan<byte> data) => data.CopyTo(Bytes(address, data.Length));

    /// <summary>Releases the reservation.</summary>
    public void Dispose()
    {
        if (_base != null)
        {
            Native.munmap((nint)_base, (nuint)Size);
            _base = null;
        }
    }

    private static void Violation(nint context, ulong address, ulong length) =>
        throw new MemoryWindowViolationException(address, length, ulong.MaxValue);

    private static class Native
    {
        public const int ProtRead = 1, ProtWrite = 2, MapPrivate = 0x02, MapAnonymous = 0x20, MapNoReserve = 0x4000;

        [DllImport("libc", SetLastError = true)]
        public static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

        [DllImport("libc", SetLastError = true)]
        public static extern int munmap(nint addr, nuint length);
    }
}
