using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace MioOS.Memory.Hosting.Boot;

/// <summary>One region of a captured boot-information dump: its physical address, its bytes and what it is.</summary>
public sealed record CaptureSegment(ulong Address, byte[] Data, string What);

/// <summary>
/// A byte-exact capture of what a real loader handed a kernel (format in <c>data/bootinfo/README.md</c>):
/// EAX, EBX and every region they reference. Loaded into simulated RAM at the real addresses, it lets the
/// parser be tested on QEMU's and GRUB's own bytes.
/// </summary>
public sealed class BootInfoCapture
{
    /// <summary>The kernel image end the captures were made with (bss_end_addr).</summary>
    public const ulong CapturedKernelEnd = 0x15A000;

    /// <summary>The comment line naming the loader and QEMU command line.</summary>
    public required string Header { get; init; }

    /// <summary>EAX at entry.</summary>
    public required uint Magic { get; init; }

    /// <summary>EBX at entry.</summary>
    public required uint InfoAddress { get; init; }

    /// <summary>The regions, in dump order.</summary>
    public required IReadOnlyList<CaptureSegment> Segments { get; init; }

    /// <summary>Reads a capture file.</summary>
    public static BootInfoCapture Load(string path)
    {
        string header = "";
        uint magic = 0, ebx = 0;
        var segments = new List<CaptureSegment>();
        (ulong Address, int Length, string What)? current = null;
        var bytes = new List<byte>();
        int lineNo = 0;
        void Flush()
        {
            if (current is { } c)
            {
                if (bytes.Count != c.Length)
                    throw new FormatException($"{path}: segment {c.What} at 0x{c.Address:X} declares {c.Length} bytes but holds {bytes.Count}");
                segments.Add(new CaptureSegment(c.Address, bytes.ToArray(), c.What));
            }
            bytes.Clear();
        }
        foreach (string raw in File.ReadLines(path))
        {
            lineNo++;
            string line = raw.Trim();
            if (line.Length == 0)
                continue;
            if (line.StartsWith('#'))
            {
                header = line.TrimStart('#', ' ');
                continue;
            }
            string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w[0] == "magic" && w.Length == 4)
            {
                magic = Hex32(w[1], path, lineNo);
                ebx = Hex32(w[3], path, lineNo);
            }
            else if (w[0] == "segment" && w.Length >= 4)
            {
                Flush();
                current = (Hex32(w[1], path, lineNo), int.Parse(w[2], CultureInfo.InvariantCulture), string.Join(' ', w[3..]));
            }
            else
            {
                if (current is null)
                    throw new FormatException($"{path}:{lineNo}: hex data before any segment line");
                bytes.AddRange(Convert.FromHexString(line));
            }
        }
        Flush();
        return new BootInfoCapture { Header = header, Magic = magic, InfoAddress = ebx, Segments = segments };
    }

    /// <summary>Writes every segment into <paramref name="ram"/> at its real address.</summary>
    public LoaderHandoff WriteTo(SimulatedRam ram)
    {
        ulong end = 0;
        foreach (CaptureSegment s in Segments)
        {
            ram.Write(s.Address, s.Data);
            end = Math.Max(end, s.Address + (ulong)s.Data.Length);
        }
        return new LoaderHandoff(Magic, InfoAddress, end);
    }

    private static uint Hex32(string s, string path, int line)
    {
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            s = s[2..];
        return uint.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint v)
            ? v
            : throw new FormatException($"{path}:{line}: \"{s}\" is not a 32-bit hex number");
    }
}
