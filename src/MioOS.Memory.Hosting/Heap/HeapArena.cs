using System;
using System.Runtime.InteropServices;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Hosting.Heap;

/// <summary>
/// A block of zeroed host memory standing for physical RAM from address 0, with a direct
/// <see cref="MemoryWindow"/> whose out-of-range accesses throw. Used by the heap's tests and the replay
/// command (the allocator's pages are only touched when used).
/// </summary>
public sealed unsafe class HeapArena : IDisposable
{
    /// <summary>Where address 0 is.</summary>
    public byte* Base { get; private set; }

    /// <summary>Bytes of RAM.</summary>
    public ulong Size { get; }

    /// <summary>The window over the whole arena.</summary>
    public MemoryWindow Window { get; }

    /// <summary>Reserves <paramref name="size"/> bytes of zeroed RAM.</summary>
    public HeapArena(ulong size)
    {
        Size = size;
        Base = (byte*)NativeMemory.AllocZeroed((nuint)size);
        Window = new MemoryWindow(Base, size, &Violation, 0);
    }

    private static void Violation(nint context, ulong address, ulong length) =>
        throw new InvalidOperationException($"memory access outside the simulated RAM: 0x{address:X} (+{length})");

    /// <summary>The bytes at [address, address + length).</summary>
    public Span<byte> Span(uint address, int length) =>
        new(Window.Bytes(address, (uint)length, MemoryAccess.Write), length);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Base != null)
        {
            NativeMemory.Free(Base);
            Base = null;
        }
    }
}
