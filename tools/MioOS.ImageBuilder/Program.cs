using System;
using System.Buffers.Binary;
using System.IO;

namespace MioOS.ImageBuilder;

/// <summary>
/// Turns the kernel PE (linked by lld-link at a fixed base with file alignment = section alignment) into the
/// flat image loaders load: every section copied to its RVA, the PE headers' page replaced by a multiboot2
/// header (address + entry tags) and a multiboot1 header with the a.out-kludge address fields. The image runs
/// from the PE base; bss is zeroed by the loader (bss_end_addr). Fails when the image reaches the heap.
/// </summary>
internal static class Program
{
    /// <summary>The kernel heap starts here (design: kernel base + 1 MiB); the image must end below it.</summary>
    private const uint HeapBase = 0x200000;

    private const uint Mb1Magic = 0x1BADB002;
    private const uint Mb2Magic = 0xE85250D6;

    /// <summary>Where the headers go in the flat image: the first page holds the (unused at run time) PE headers.</summary>
    private const int Mb2Offset = 0x0;
    private const int Mb1Offset = 0x40;

    private static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "--test-modules")
        {
            WriteTestModules(args[1]);
            return 0;
        }
        if (args.Length != 3)
        {
            Console.Error.WriteLine("usage: MioOS.ImageBuilder <kernel.exe> <linker.map> <mioos.bin>");
            Console.Error.WriteLine("       MioOS.ImageBuilder --test-modules <directory>");
            return 2;
        }
        try
        {
            byte[] pe = File.ReadAllBytes(args[0]);
            uint imageEndSymbol = FindSymbol(File.ReadAllLines(args[1]), "image_end");
            byte[] image = Build(pe, imageEndSymbol, out string report);
            File.WriteAllBytes(args[2], image);
            Console.WriteLine(report);
            return 0;
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"MioOS.ImageBuilder: error: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// The two boot modules the ISO loads and the tests pass with <c>-initrd</c>, with the contents the captures
    /// in data/bootinfo used: <c>a.bin</c> = "module A payload 123\n" (21 bytes), <c>b.bin</c> = 300 bytes with
    /// byte i = (7*i+3) &amp; 0xff.
    /// </summary>
    private static void WriteTestModules(string directory)
    {
        Directory.CreateDirectory(directory);
        byte[] a = System.Text.Encoding.ASCII.GetBytes("module A payload 123\n");
        byte[] b = new byte[300];
        for (int i = 0; i < b.Length; i++)
            b[i] = (byte)((7 * i + 3) & 0xff);
        File.WriteAllBytes(Path.Combine(directory, "a.bin"), a);
        File.WriteAllBytes(Path.Combine(directory, "b.bin"), b);
    }

    private static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));
    private static ushort U16(byte[] b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at));
    private static void Put(byte[] b, int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), value);
    private static void Put16(byte[] b, int at, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), value);

    /// <summary>The address of public symbol <paramref name="name"/> in an lld-link /map file.</summary>
    internal static uint FindSymbol(string[] map, string name)
    {
        foreach (string line in map)
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 3 && f[1] == name)
                return Convert.ToUInt32(f[2], 16);
        }
        throw new InvalidDataException($"symbol {name} not found in the linker map");
    }

    internal static byte[] Build(byte[] pe, uint imageEndSymbol, out string report)
    {
        if (pe.Length < 0x40 || pe[0] != 'M' || pe[1] != 'Z')
            throw new InvalidDataException("not a PE file (no MZ)");
        int nt = (int)U32(pe, 0x3C);
        if (U32(pe, nt) != 0x4550)
            throw new InvalidDataException("not a PE file (no PE signature)");
        int coff = nt + 4;
        if (U16(pe, coff) != 0x14C)
            throw new InvalidDataException("not an i386 PE");
        int sections = U16(pe, coff + 2);
        int optSize = U16(pe, coff + 16);
        int opt = coff + 20;
        if (U16(pe, opt) != 0x10B)
            throw new InvalidDataException("not a PE32 image");
        uint entryRva = U32(pe, opt + 16);
        uint imageBase = U32(pe, opt + 28);
        uint sizeOfImage = U32(pe, opt + 56);
        uint sizeOfHeaders = U32(pe, opt + 60);
        int dataDirs = (int)U32(pe, opt + 92);
        if (dataDirs > 5 && U32(pe, opt + 96 + 5 * 8 + 4) != 0)
            throw new InvalidDataException("the image has base relocations: link it /fixed");

        // Lay every section at its RVA; find where initialised data ends (the loader zeroes the rest).
        uint loadEnd = sizeOfHeaders;
        uint lastEnd = 0;
        string lastName = "";
        byte[] flat = new byte[sizeOfImage];
        int table = opt + optSize;
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < sections; i++)
        {
            int s = table + i * 40;
            string name = System.Text.Encoding.ASCII.GetString(pe, s, 8).TrimEnd('\0');
            uint virtualSize = U32(pe, s + 8);
            uint rva = U32(pe, s + 12);
            uint rawSize = U32(pe, s + 16);
            uint rawOffset = U32(pe, s + 20);
            uint characteristics = U32(pe, s + 36);
            bool uninitialised = (characteristics & 0x80) != 0;
            uint copy = uninitialised ? 0 : Math.Min(rawSize, virtualSize);
            if (rva + virtualSize > sizeOfImage || (copy > 0 && rawOffset + copy > pe.Length))
                throw new InvalidDataException($"section {name} lies outside the image");
            Array.Copy(pe, rawOffset, flat, rva, copy);
            if (copy > 0)
                loadEnd = Math.Max(loadEnd, rva + copy);
            if (rva + virtualSize > lastEnd)
            {
                lastEnd = rva + virtualSize;
                lastName = name;
            }
            text.Append($"  {name,-8} {imageBase + rva:x8}-{imageBase + rva + virtualSize:x8}{(uninitialised ? " (bss)" : "")}\n");
        }
        uint end = imageBase + lastEnd;
        if (imageBase != 0x100000)
            throw new InvalidDataException($"the image base is 0x{imageBase:x}, not 0x100000");
        if (end > HeapBase)
            throw new InvalidDataException($"the kernel image ends at 0x{end:x}, inside the heap area at 0x{HeapBase:x}: it must end below it");
        if (lastName != ".zend" || imageEndSymbol != end)
            throw new InvalidDataException($"the last section is {lastName} ending at 0x{imageBase + lastEnd:x}, image_end is 0x{imageEndSymbol:x}: the symbol would not mark the end of the image");

        uint loadEndAddr = imageBase + AlignUp(loadEnd, 4);
        uint entry = imageBase + entryRva;

        // The PE headers are not used at run time: the first page of the flat image becomes the headers.
        Array.Clear(flat, 0, (int)sizeOfHeaders);

        // Multiboot2 header (8-byte aligned, within the first 32 KiB): address tag, entry tag, end tag.
        int h = Mb2Offset;
        int mb2Length = 16 + 24 + 16 + 8;
        Put(flat, h, Mb2Magic);
        Put(flat, h + 4, 0); // architecture: i386 protected mode
        Put(flat, h + 8, (uint)mb2Length);
        Put(flat, h + 12, unchecked((uint)-(int)(Mb2Magic + 0 + (uint)mb2Length)));
        int t = h + 16;
        Put16(flat, t, 2); Put16(flat, t + 2, 0); Put(flat, t + 4, 24); // address tag
        Put(flat, t + 8, imageBase + (uint)Mb2Offset); // header_addr
        Put(flat, t + 12, imageBase); // load_addr
        Put(flat, t + 16, loadEndAddr); // load_end_addr
        Put(flat, t + 20, end); // bss_end_addr
        t += 24;
        Put16(flat, t, 3); Put16(flat, t + 2, 0); Put(flat, t + 4, 12); // entry address tag
        Put(flat, t + 8, entry);
        t += 16; // tags are 8-byte aligned
        Put16(flat, t, 0); Put16(flat, t + 2, 0); Put(flat, t + 4, 8); // end tag
        if (t + 8 - h != mb2Length || t + 8 > Mb1Offset)
            throw new InvalidDataException("multiboot2 header layout");

        // Multiboot1 header (4-byte aligned, within the first 8 KiB), flags: bit 1 memory info, bit 16 a.out kludge.
        int m = Mb1Offset;
        uint flags = (1u << 1) | (1u << 16);
        Put(flat, m, Mb1Magic);
        Put(flat, m + 4, flags);
        Put(flat, m + 8, unchecked((uint)-(int)(Mb1Magic + flags)));
        Put(flat, m + 12, imageBase + (uint)Mb1Offset); // header_addr
        Put(flat, m + 16, imageBase); // load_addr
        Put(flat, m + 20, loadEndAddr); // load_end_addr
        Put(flat, m + 24, end); // bss_end_addr
        Put(flat, m + 28, entry); // entry_addr

        byte[] file = new byte[loadEndAddr - imageBase];
        Array.Copy(flat, file, file.Length);
        report = $"MioOS.ImageBuilder: {file.Length} bytes, load 0x{imageBase:x8}-0x{loadEndAddr:x8}, bss to 0x{end:x8}, entry 0x{entry:x8}, heap at 0x{HeapBase:x8}\n{text}";
        return file;
    }

    private static uint AlignUp(uint value, uint alignment) => (value + alignment - 1) & ~(alignment - 1);
}
