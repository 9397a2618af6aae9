using System;
using System.Collections.Generic;
using System.Text;
using MioOS.Memory.Boot;

namespace MioOS.Memory.Hosting.Boot;

/// <summary>Where a simulated loader put the boot information: EAX and EBX at the kernel's entry.</summary>
public readonly record struct LoaderHandoff(uint Magic, uint InfoAddress, ulong End);

/// <summary>
/// Writes genuine multiboot boot-information blocks into simulated RAM, laid out as the real loaders lay them
/// out (see <c>data/bootinfo/README.md</c>), so the core parses exactly the bytes it would get on the metal.
/// </summary>
public static class MultibootImageWriter
{
    /// <summary>
    /// GRUB-style multiboot2: the modules page-aligned from the kernel image end, then the info block 8-aligned
    /// after them; tags: command line (1), loader name (2), modules (3), basic meminfo (4), memory map (6, entry
    /// size 24, version 0), end (0).
    /// </summary>
    public static LoaderHandoff WriteMultiboot2(SimulatedRam ram, ulong kernelEnd, IReadOnlyList<MemoryMapEntry> map,
        string commandLine = "", IReadOnlyList<BootModuleImage>? modules = null, string loaderName = "MioOS simulated GRUB")
    {
        modules ??= [];
        ulong cursor = AlignUp(kernelEnd, 4096);
        var placed = new List<(ulong Start, ulong End, string String)>();
        foreach (BootModuleImage m in modules)
        {
            ram.Write(cursor, m.Data);
            placed.Add((cursor, cursor + (ulong)m.Data.Length, m.String));
            cursor = AlignUp(cursor + (ulong)m.Data.Length, 4096);
        }
        ulong info = AlignUp(cursor, 8);

        var b = new List<byte>();
        Put32(b, 0); // total_size, patched below
        Put32(b, 0);
        Tag(b, 1, Cstr(commandLine));
        Tag(b, 2, Cstr(loaderName));
        foreach (var (start, end, s) in placed)
        {
            var body = new List<byte>();
            Put32(body, (uint)start);
            Put32(body, (uint)end);
            body.AddRange(Cstr(s));
            Tag(b, 3, body.ToArray());
        }
        (uint lower, uint upper) = BasicMemInfo(map);
        var mem = new List<byte>();
        Put32(mem, lower);
        Put32(mem, upper);
        Tag(b, 4, mem.ToArray());
        var mmap = new List<byte>();
        Put32(mmap, 24);
        Put32(mmap, 0);
        foreach (MemoryMapEntry e in map)
        {
            Put64(mmap, e.Base);
            Put64(mmap, e.Length);
            Put32(mmap, e.Type);
            Put32(mmap, 0);
        }
        Tag(b, 6, mmap.ToArray());
        Tag(b, 0, []);
        byte[] bytes = b.ToArray();
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), (uint)bytes.Length);
        ram.Write(info, bytes);
        return new LoaderHandoff(MultibootParser.Multiboot2Magic, (uint)info, info + (ulong)bytes.Length);
    }

    /// <summary>
    /// QEMU-style multiboot1 (<c>-kernel</c>): the info struct at 0x9500 and the memory map at 0x9000 (in low
    /// memory, as QEMU's option ROM puts them); the module list, strings and loader name from the kernel image
    /// end; module data page-aligned after them. Flags: mem, cmdline, mods, mmap, loader name.
    /// </summary>
    public static LoaderHandoff WriteMultiboot1(SimulatedRam ram, ulong kernelEnd, IReadOnlyList<MemoryMapEntry> map,
        string commandLine = "kernel.bin ", IReadOnlyList<BootModuleImage>? modules = null, string loaderName = "qemu")
    {
        const ulong infoAddress = 0x9500, mapAddress = 0x9000;
        modules ??= [];
        if (map.Count * 24 > (int)(infoAddress - mapAddress))
            throw new ArgumentException($"a multiboot1 map of {map.Count} entries does not fit below the info struct at 0x{infoAddress:X}");
        var mmap = new List<byte>();
        foreach (MemoryMapEntry e in map)
        {
            Put32(mmap, 20);
            Put64(mmap, e.Base);
            Put64(mmap, e.Length);
            Put32(mmap, e.Type);
        }
        ram.Write(mapAddress, mmap.ToArray());

        ulong cursor = kernelEnd;
        ulong modsAddr = cursor;
        cursor += (ulong)modules.Count * 16;
        var strings = new List<ulong>();
        foreach (BootModuleImage m in modules)
        {
            strings.Add(cursor);
            ram.Write(cursor, Cstr(m.String));
            cursor += (ulong)Encoding.ASCII.GetByteCount(m.String) + 1;
        }
        ulong cmdline = cursor;
        ram.Write(cursor, Cstr(commandLine));
        cursor += (ulong)Encoding.ASCII.GetByteCount(commandLine) + 1;
        ulong loader = cursor;
        ram.Write(cursor, Cstr(loaderName));
        cursor += (ulong)Encoding.ASCII.GetByteCount(loaderName) + 1;
        var list = new List<byte>();
        cursor = AlignUp(cursor, 4096);
        for (int i = 0; i < modules.Count; i++)
        {
            ram.Write(cursor, modules[i].Data);
            Put32(list, (uint)cursor);
            Put32(list, (uint)(cursor + (ulong)modules[i].Data.Length));
            Put32(list, (uint)strings[i]);
            Put32(list, 0);
            cursor = AlignUp(cursor + (ulong)modules[i].Data.Length, 4096);
        }
        ram.Write(modsAddr, list.ToArray());

        byte[] mbi = new byte[116];
        (uint lower, uint upper) = BasicMemInfo(map);
        uint flags = (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9);
        BitConverter.TryWriteBytes(mbi.AsSpan(0), flags);
        BitConverter.TryWriteBytes(mbi.AsSpan(4), lower);
        BitConverter.TryWriteBytes(mbi.AsSpan(8), upper);
        BitConverter.TryWriteBytes(mbi.AsSpan(12), 0x8000FFFFu);
        BitConverter.TryWriteBytes(mbi.AsSpan(16), (uint)cmdline);
        BitConverter.TryWriteBytes(mbi.AsSpan(20), (uint)modules.Count);
        BitConverter.TryWriteBytes(mbi.AsSpan(24), (uint)modsAddr);
        BitConverter.TryWriteBytes(mbi.AsSpan(44), (uint)mmap.Count);
        BitConverter.TryWriteBytes(mbi.AsSpan(48), (uint)mapAddress);
        BitConverter.TryWriteBytes(mbi.AsSpan(64), (uint)loader);
        ram.Write(infoAddress, mbi);
        return new LoaderHandoff(MultibootParser.Multiboot1Magic, (uint)infoAddress, cursor);
    }

    /// <summary>mem_lower: KiB of available memory from 0 (at most 640); mem_upper: KiB from 1 MiB up to the first hole.</summary>
    private static (uint Lower, uint Upper) BasicMemInfo(IReadOnlyList<MemoryMapEntry> map)
    {
        ulong lower = 0, upper = 0;
        foreach (MemoryMapEntry e in map)
        {
            if (e.Type != (uint)MemoryType.Available)
                continue;
            if (e.Base == 0)
                lower = Math.Min(e.Length, 640 * 1024) / 1024;
            if (e.Base <= 0x100000 && e.Base + e.Length > 0x100000)
                upper = Math.Min(e.Base + e.Length - 0x100000, 0xFFFFFFFFul * 1024) / 1024;
        }
        return ((uint)lower, (uint)upper);
    }

    private static void Tag(List<byte> b, uint type, byte[] body)
    {
        while (b.Count % 8 != 0)
            b.Add(0);
        Put32(b, type);
        Put32(b, (uint)(8 + body.Length));
        b.AddRange(body);
        while (b.Count % 8 != 0)
            b.Add(0);
    }

    private static byte[] Cstr(string s) => Encoding.ASCII.GetBytes(s + "\0");

    private static void Put32(List<byte> b, uint v) => b.AddRange(BitConverter.GetBytes(v));

    private static void Put64(List<byte> b, ulong v) => b.AddRange(BitConverter.GetBytes(v));

    private static ulong AlignUp(ulong v, ulong a) => (v + a - 1) & ~(a - 1);
}
