using System;
using MioOS.Memory.Heap;

namespace MioOS.Memory.Hosting.Heap;

/// <summary>A heap call was refused (double free, interior/foreign/misaligned pointer, damaged header): what
/// and where. The heap itself stays usable.</summary>
public sealed class HeapMisuseException : InvalidOperationException
{
    /// <summary>What was wrong.</summary>
    public HeapStatus Kind { get; }

    /// <summary>The pointer passed, or the damaged header's address.</summary>
    public uint Address { get; }

    /// <summary>Creates the exception.</summary>
    public HeapMisuseException(HeapStatus kind, uint address)
        : base($"kernel heap: {Describe(kind)} at 0x{address:X8}")
    {
        Kind = kind;
        Address = address;
    }

    private static string Describe(HeapStatus kind) => kind switch
    {
        HeapStatus.DoubleFree => "double free",
        HeapStatus.ForeignPointer => "pointer outside the heap",
        HeapStatus.MisalignedPointer => "misaligned pointer",
        HeapStatus.NotABlockStart => "pointer is not the start of a block",
        HeapStatus.HeaderCorrupted => "block header overwritten (overrun?)",
        HeapStatus.BlockOrderBroken => "block list broken",
        _ => kind.ToString(),
    };
}
