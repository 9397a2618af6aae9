using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace MioOS.Memory.Hosting.Traces;

/// <summary>
/// Reads an allocation trace (gzip'd or plain text, one event per line, format in data/traces/README.md) and
/// checks it as it goes: IDs dense and in order of first appearance, frees and reallocs only of live blocks.
/// Any bad line throws <see cref="TraceFormatException"/> naming the line.
/// </summary>
public static class TraceParser
{
    /// <summary>Parses the file at <paramref name="path"/> (gzip detected by its magic bytes).</summary>
    public static TraceEvent[] ParseFile(string path)
    {
        using FileStream file = File.OpenRead(path);
        return Parse(file, Path.GetFileName(path));
    }

    /// <summary>Parses a stream (gzip detected by its magic bytes).</summary>
    public static TraceEvent[] Parse(Stream stream, string source = "trace")
    {
        var buffered = new BufferedStream(stream, 1 << 16);
        int b0 = buffered.ReadByte(), b1 = buffered.ReadByte();
        var all = new MemoryStream();
        if (b0 >= 0)
            all.WriteByte((byte)b0);
        if (b1 >= 0)
            all.WriteByte((byte)b1);
        buffered.CopyTo(all);
        all.Position = 0;
        byte[] text;
        if (b0 == 0x1F && b1 == 0x8B)
        {
            using var gzip = new GZipStream(all, CompressionMode.Decompress);
            var plain = new MemoryStream();
            try
            {
                gzip.CopyTo(plain);
            }
            catch (InvalidDataException e)
            {
                throw new TraceFormatException(source, 0, "damaged gzip data: " + e.Message);
            }
            text = plain.ToArray();
        }
        else
        {
            text = all.ToArray();
        }
        return ParseText(text, source);
    }

    /// <summary>Parses trace text.</summary>
    public static TraceEvent[] ParseText(ReadOnlySpan<byte> text, string source = "trace")
    {
        var events = new List<TraceEvent>(text.Length / 10);
        var live = new List<bool>();
        long line = 0;
        while (!text.IsEmpty)
        {
            line++;
            int end = text.IndexOf((byte)'\n');
            ReadOnlySpan<byte> current = end < 0 ? text : text[..end];
            text = end < 0 ? ReadOnlySpan<byte>.Empty : text[(end + 1)..];
            if (!current.IsEmpty && current[^1] == (byte)'\r')
                current = current[..^1];
            if (current.IsEmpty)
                continue;
            events.Add(ParseLine(current, source, line, live));
        }
        return events.ToArray();
    }

    private static TraceEvent ParseLine(ReadOnlySpan<byte> line, string source, long number, List<bool> live)
    {
        if (line.Length < 3 || line[1] != (byte)' ')
            throw Bad(source, number, line, "expected 'KIND FIELD...'");
        ReadOnlySpan<byte> rest = line[2..];
        switch ((char)line[0])
        {
            case 'm':
            {
                int id = NewId(source, number, line, ref rest, live);
                uint size = Number(source, number, line, ref rest, "SIZE");
                End(source, number, line, rest);
                return new TraceEvent(TraceEventKind.Malloc, id, -1, size, 0);
            }
            case 'c':
            {
                int id = NewId(source, number, line, ref rest, live);
                uint count = Number(source, number, line, ref rest, "NMEMB");
                uint size = Number(source, number, line, ref rest, "SIZE");
                End(source, number, line, rest);
                return new TraceEvent(TraceEventKind.Calloc, id, -1, size, count);
            }
            case 'a':
            {
                int id = NewId(source, number, line, ref rest, live);
                uint alignment = Number(source, number, line, ref rest, "ALIGN");
                uint size = Number(source, number, line, ref rest, "SIZE");
                End(source, number, line, rest);
                if (alignment == 0 || (alignment & (alignment - 1)) != 0)
                    throw Bad(source, number, line, $"alignment {alignment} is not a power of two");
                return new TraceEvent(TraceEventKind.Aligned, id, -1, size, alignment);
            }
            case 'r':
            {
                int old = -1;
                if (rest.Length >= 1 && rest[0] == (byte)'-' && (rest.Length == 1 || rest[1] == (byte)' '))
                    rest = rest.Length == 1 ? ReadOnlySpan<byte>.Empty : rest[2..];
                else
                    old = LiveId(source, number, line, ref rest, live, "OLDID");
                int id = NewId(source, number, line, ref rest, live);
                uint size = Number(source, number, line, ref rest, "SIZE");
                End(source, number, line, rest);
                if (old >= 0)
                    live[old] = false;
                return new TraceEvent(TraceEventKind.Realloc, id, old, size, 0);
            }
            case 'f':
            {
                int id = LiveId(source, number, line, ref rest, live, "ID");
                End(source, number, line, rest);
                live[id] = false;
                return new TraceEvent(TraceEventKind.Free, id, -1, 0, 0);
            }
            default:
                throw Bad(source, number, line, $"unknown event kind '{(char)line[0]}'");
        }
    }

    private static int NewId(string source, long number, ReadOnlySpan<byte> line, ref ReadOnlySpan<byte> rest, List<bool> live)
    {
        uint id = Number(source, number, line, ref rest, "ID");
        if (id != live.Count)
            throw Bad(source, number, line, $"new block ID {id} out of order (expected {live.Count})");
        live.Add(true);
        return (int)id;
    }

    private static int LiveId(string source, long number, ReadOnlySpan<byte> line, ref ReadOnlySpan<byte> rest,
        List<bool> live, string what)
    {
        uint id = Number(source, number, line, ref rest, what);
        if (id >= live.Count || !live[(int)id])
            throw Bad(source, number, line, $"{what} {id} is not a live block");
        return (int)id;
    }

    private static uint Number(string source, long number, ReadOnlySpan<byte> line, ref ReadOnlySpan<byte> rest, string what)
    {
        int i = 0;
        ulong value = 0;
        while (i < rest.Length && rest[i] >= (byte)'0' && rest[i] <= (byte)'9')
        {
            value = value * 10 + (uint)(rest[i] - '0');
            if (value > uint.MaxValue)
                throw Bad(source, number, line, $"{what} too large");
            i++;
        }
        if (i == 0)
            throw Bad(source, number, line, $"expected a number for {what}");
        if (i < rest.Length && rest[i] != (byte)' ')
            throw Bad(source, number, line, $"unexpected character after {what}");
        rest = i < rest.Length ? rest[(i + 1)..] : ReadOnlySpan<byte>.Empty;
        return (uint)value;
    }

    private static void End(string source, long number, ReadOnlySpan<byte> line, ReadOnlySpan<byte> rest)
    {
        if (!rest.IsEmpty)
            throw Bad(source, number, line, "too many fields");
    }

    private static TraceFormatException Bad(string source, long number, ReadOnlySpan<byte> line, string message)
    {
        string text = System.Text.Encoding.ASCII.GetString(line.Length > 60 ? line[..60] : line);
        return new TraceFormatException(source, number, $"{message}: \"{text}\"");
    }
}
