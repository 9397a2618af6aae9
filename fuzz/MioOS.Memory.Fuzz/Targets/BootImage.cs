using System.Buffers.Binary;
using MioOS.Memory.Hosting.Boot;

namespace MioOS.Memory.Fuzz.Targets;

/// <summary>
/// A boot-information image as a fuzz input: the regions a loader writes, each at its physical address.
/// Records of <c>u32 address, u16 length, length bytes</c> (little-endian), one after another; the first record is
/// the info block (EBX = its address), the rest are what it points to (strings, module list, memory map). A record
/// cut short by the end of the input keeps the bytes it has.
/// </summary>
public static class BootImage
{
    /// <summary>Bytes of a record header.</summary>
    public const int HeaderSize = 6;

    /// <summary>Splits an input into its records: (address, bytes).</summary>
    public static List<(uint Address, ReadOnlyMemory<byte> Bytes)> Decode(ReadOnlyMemory<byte> input)
    {
        var records = new List<(uint, ReadOnlyMemory<byte>)>();
        while (input.Length >= HeaderSize)
        {
            ReadOnlySpan<byte> h = input.Span;
            uint address = BinaryPrimitives.ReadUInt32LittleEndian(h);
            int length = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(h[4..]), input.Length - HeaderSize);
            records.Add((address, input.Slice(HeaderSize, length)));
            input = input[(HeaderSize + length)..];
        }
        return records;
    }

    /// <summary>Writes records as one input.</summary>
    public static byte[] Encode(IEnumerable<(uint Address, byte[] Bytes)> records)
    {
        var output = new MemoryStream();
        Span<byte> h = stackalloc byte[HeaderSize];
        foreach (var (address, bytes) in records)
        {
            if (bytes.Length > ushort.MaxValue)
                throw new ArgumentException($"a record holds at most {ushort.MaxValue} bytes, not {bytes.Length}");
            BinaryPrimitives.WriteUInt32LittleEndian(h, address);
            BinaryPrimitives.WriteUInt16LittleEndian(h[4..], (ushort)bytes.Length);
            output.Write(h);
            output.Write(bytes);
        }
        return output.ToArray();
    }

    /// <summary>A captured boot as an input, byte for byte: the info block first, then the other segments in dump order.</summary>
    public static byte[] FromCapture(BootInfoCapture capture)
    {
        CaptureSegment info = capture.Segments.Single(s => s.Address == capture.InfoAddress);
        return Encode(capture.Segments.Where(s => s != info).Prepend(info).Select(s => ((uint)s.Address, s.Data)));
    }
}
