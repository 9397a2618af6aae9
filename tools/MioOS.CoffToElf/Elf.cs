using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace MioOS.CoffToElf;

/// <summary>ELF32 constants used here (System V ABI, i386 supplement).</summary>
public static class Elf
{
    /// <summary>EM_386.</summary>
    public const ushort Machine386 = 3;
    /// <summary>ET_REL.</summary>
    public const ushort TypeRelocatable = 1;
    /// <summary>SHT_PROGBITS.</summary>
    public const uint SectionProgBits = 1;
    /// <summary>SHT_SYMTAB.</summary>
    public const uint SectionSymbolTable = 2;
    /// <summary>SHT_STRTAB.</summary>
    public const uint SectionStringTable = 3;
    /// <summary>SHT_NOBITS.</summary>
    public const uint SectionNoBits = 8;
    /// <summary>SHT_REL.</summary>
    public const uint SectionRel = 9;
    /// <summary>SHF_WRITE.</summary>
    public const uint FlagWrite = 1;
    /// <summary>SHF_ALLOC.</summary>
    public const uint FlagAlloc = 2;
    /// <summary>SHF_EXECINSTR.</summary>
    public const uint FlagExec = 4;
    /// <summary>SHF_INFO_LINK.</summary>
    public const uint FlagInfoLink = 0x40;
    /// <summary>R_386_32: S + A.</summary>
    public const byte R386_32 = 1;
    /// <summary>R_386_PC32: S + A - P.</summary>
    public const byte R386_PC32 = 2;
    /// <summary>STB_LOCAL.</summary>
    public const byte BindLocal = 0;
    /// <summary>STB_GLOBAL.</summary>
    public const byte BindGlobal = 1;
    /// <summary>STT_NOTYPE.</summary>
    public const byte TypeNone = 0;
    /// <summary>STT_OBJECT.</summary>
    public const byte TypeObject = 1;
    /// <summary>STT_FUNC.</summary>
    public const byte TypeFunc = 2;
    /// <summary>STT_SECTION.</summary>
    public const byte TypeSection = 3;
    /// <summary>SHN_UNDEF.</summary>
    public const ushort SectionUndefined = 0;
    /// <summary>SHN_ABS.</summary>
    public const ushort SectionAbsolute = 0xFFF1;
    /// <summary>SHN_COMMON.</summary>
    public const ushort SectionCommon = 0xFFF2;
}

/// <summary>A section with contents (or NOBITS) in an ELF relocatable object.</summary>
public sealed class ElfSection
{
    /// <summary>Its name.</summary>
    public required string Name { get; init; }
    /// <summary>SHT_PROGBITS or SHT_NOBITS.</summary>
    public required uint Type { get; init; }
    /// <summary>SHF_* flags.</summary>
    public required uint Flags { get; init; }
    /// <summary>Alignment in bytes.</summary>
    public required uint Alignment { get; init; }
    /// <summary>The bytes (PROGBITS), with implicit addends in place.</summary>
    public required byte[] Data { get; init; }
    /// <summary>The size (for NOBITS, the bytes to reserve).</summary>
    public required uint Size { get; init; }
    /// <summary>Relocations against this section.</summary>
    public List<ElfRelocation> Relocations { get; } = [];
}

/// <summary>One SHT_REL relocation: the addend is in the section bytes.</summary>
public readonly record struct ElfRelocation(uint Offset, int Symbol, byte Type);

/// <summary>One symbol. <see cref="Section"/> is an index into <see cref="ElfObject.Sections"/> (0-based), or -1 with
/// <see cref="SpecialSection"/> set (undefined, absolute, common).</summary>
public sealed record ElfSymbol(string Name, uint Value, uint Size, byte Binding, byte Type, int Section, ushort SpecialSection = 0);

/// <summary>An ELF32 i386 relocatable object: sections, symbols (index 0 is the null symbol) and relocations.</summary>
public sealed class ElfObject
{
    /// <summary>The content sections, in output order.</summary>
    public List<ElfSection> Sections { get; } = [];

    /// <summary>The symbols; index 0 is the null symbol. Locals must precede globals (<see cref="Write"/> checks).</summary>
    public List<ElfSymbol> Symbols { get; } = [new ElfSymbol("", 0, 0, Elf.BindLocal, Elf.TypeNone, -1)];

    /// <summary>Serialises the object: header, section bytes, REL tables, .symtab, .strtab, .shstrtab, section headers.</summary>
    public byte[] Write()
    {
        for (int i = 1; i < Symbols.Count; i++)
        {
            if (Symbols[i].Binding == Elf.BindLocal && Symbols[i - 1].Binding != Elf.BindLocal)
                throw new ConversionException($"symbol {Symbols[i].Name}: a local symbol after a global one");
        }
        int firstGlobal = Symbols.FindIndex(s => s.Binding != Elf.BindLocal);
        if (firstGlobal < 0)
            firstGlobal = Symbols.Count;

        var shstr = new StringTable();
        var str = new StringTable();
        var body = new MemoryStream();
        body.Write(new byte[52]);
        var headers = new List<byte[]> { new byte[40] };

        // Section header indices: 1..n content sections, then one .rel per section with relocations, then the tables.
        int relCount = Sections.FindAll(s => s.Relocations.Count > 0).Count;
        int symtabIndex = 1 + Sections.Count + relCount;

        void Align(uint alignment)
        {
            while (body.Length % Math.Max(alignment, 1) != 0)
                body.WriteByte(0);
        }

        byte[] Header(string name, uint type, uint flags, uint offset, uint size, uint link, uint info, uint align, uint entsize)
        {
            var h = new byte[40];
            Span<byte> s = h;
            BinaryPrimitives.WriteUInt32LittleEndian(s, shstr.Add(name));
            BinaryPrimitives.WriteUInt32LittleEndian(s[4..], type);
            BinaryPrimitives.WriteUInt32LittleEndian(s[8..], flags);
            BinaryPrimitives.WriteUInt32LittleEndian(s[16..], offset);
            BinaryPrimitives.WriteUInt32LittleEndian(s[20..], size);
            BinaryPrimitives.WriteUInt32LittleEndian(s[24..], link);
            BinaryPrimitives.WriteUInt32LittleEndian(s[28..], info);
            BinaryPrimitives.WriteUInt32LittleEndian(s[32..], align);
            BinaryPrimitives.WriteUInt32LittleEndian(s[36..], entsize);
            return h;
        }

        foreach (ElfSection sec in Sections)
        {
            Align(sec.Alignment);
            uint offset = (uint)body.Length;
            if (sec.Type != Elf.SectionNoBits)
                body.Write(sec.Data);
            headers.Add(Header(sec.Name, sec.Type, sec.Flags, offset, sec.Size, 0, 0, sec.Alignment, 0));
        }
        for (int i = 0; i < Sections.Count; i++)
        {
            ElfSection sec = Sections[i];
            if (sec.Relocations.Count == 0)
                continue;
            Align(4);
            uint offset = (uint)body.Length;
            var rec = new byte[8];
            foreach (ElfRelocation r in sec.Relocations)
            {
                if (r.Symbol <= 0 || r.Symbol >= Symbols.Count)
                    throw new ConversionException($"relocation in {sec.Name} at 0x{r.Offset:x}: symbol index {r.Symbol} out of range");
                BinaryPrimitives.WriteUInt32LittleEndian(rec, r.Offset);
                BinaryPrimitives.WriteUInt32LittleEndian(rec.AsSpan(4), ((uint)r.Symbol << 8) | r.Type);
                body.Write(rec);
            }
            headers.Add(Header(".rel" + sec.Name, Elf.SectionRel, Elf.FlagInfoLink, offset, (uint)(sec.Relocations.Count * 8),
                (uint)symtabIndex, (uint)(i + 1), 4, 8));
        }

        Align(4);
        uint symtabOffset = (uint)body.Length;
        var sym = new byte[16];
        foreach (ElfSymbol s in Symbols)
        {
            Array.Clear(sym);
            BinaryPrimitives.WriteUInt32LittleEndian(sym, s.Name.Length == 0 ? 0 : str.Add(s.Name));
            BinaryPrimitives.WriteUInt32LittleEndian(sym.AsSpan(4), s.Value);
            BinaryPrimitives.WriteUInt32LittleEndian(sym.AsSpan(8), s.Size);
            sym[12] = (byte)((s.Binding << 4) | s.Type);
            ushort shndx = s.Section >= 0 ? (ushort)(s.Section + 1) : s.SpecialSection;
            BinaryPrimitives.WriteUInt16LittleEndian(sym.AsSpan(14), shndx);
            body.Write(sym);
        }
        headers.Add(Header(".symtab", Elf.SectionSymbolTable, 0, symtabOffset, (uint)(Symbols.Count * 16),
            (uint)symtabIndex + 1, (uint)firstGlobal, 4, 16));

        uint strOffset = (uint)body.Length;
        body.Write(str.Bytes);
        headers.Add(Header(".strtab", Elf.SectionStringTable, 0, strOffset, (uint)str.Bytes.Length, 0, 0, 1, 0));

        uint shstrIndex = (uint)headers.Count;
        shstr.Add(".shstrtab");
        uint shstrOffset = (uint)body.Length;
        byte[] shstrBytes = shstr.Bytes;
        headers.Add(Header(".shstrtab", Elf.SectionStringTable, 0, shstrOffset, (uint)shstrBytes.Length, 0, 0, 1, 0));
        body.Write(shstrBytes);

        Align(4);
        uint shoff = (uint)body.Length;
        foreach (byte[] h in headers)
            body.Write(h);

        byte[] file = body.ToArray();
        Span<byte> e = file;
        e[0] = 0x7F; e[1] = (byte)'E'; e[2] = (byte)'L'; e[3] = (byte)'F';
        e[4] = 1; // ELFCLASS32
        e[5] = 1; // little-endian
        e[6] = 1; // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(e[16..], Elf.TypeRelocatable);
        BinaryPrimitives.WriteUInt16LittleEndian(e[18..], Elf.Machine386);
        BinaryPrimitives.WriteUInt32LittleEndian(e[20..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(e[32..], shoff);
        BinaryPrimitives.WriteUInt16LittleEndian(e[40..], 52);
        BinaryPrimitives.WriteUInt16LittleEndian(e[46..], 40);
        BinaryPrimitives.WriteUInt16LittleEndian(e[48..], (ushort)headers.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(e[50..], (ushort)shstrIndex);
        return file;
    }

    /// <summary>Reads an ELF32 i386 relocatable object (the content sections, symbols and SHT_REL relocations),
    /// e.g. to check what <see cref="Write"/> or a linker produced.</summary>
    public static ElfObject Read(byte[] file)
    {
        ReadOnlySpan<byte> f = file;
        if (f.Length < 52 || f[0] != 0x7F || f[1] != 'E' || f[2] != 'L' || f[3] != 'F' || f[4] != 1 || f[5] != 1)
            throw new ConversionException("not a little-endian ELF32 file");
        if (BinaryPrimitives.ReadUInt16LittleEndian(f[16..]) != Elf.TypeRelocatable || BinaryPrimitives.ReadUInt16LittleEndian(f[18..]) != Elf.Machine386)
            throw new ConversionException("not an i386 relocatable object");
        uint shoff = BinaryPrimitives.ReadUInt32LittleEndian(f[32..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(f[48..]);
        int shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(f[50..]);
        ReadOnlySpan<byte> Sh(int i) => file.AsSpan((int)shoff + i * 40, 40);
        uint U32(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);
        string Str(int table, uint offset)
        {
            ReadOnlySpan<byte> t = file.AsSpan((int)U32(Sh(table), 16) + (int)offset);
            return Encoding.UTF8.GetString(t[..t.IndexOf((byte)0)]);
        }

        var obj = new ElfObject();
        obj.Symbols.Clear();
        var contentIndex = new Dictionary<int, int>(); // ELF section index -> Sections index
        int symtab = -1;
        for (int i = 1; i < count; i++)
        {
            ReadOnlySpan<byte> h = Sh(i);
            uint type = U32(h, 4);
            if (type == Elf.SectionSymbolTable)
                symtab = i;
            if (type != Elf.SectionProgBits && type != Elf.SectionNoBits)
                continue;
            uint size = U32(h, 20);
            contentIndex[i] = obj.Sections.Count;
            obj.Sections.Add(new ElfSection
            {
                Name = Str(shstrndx, U32(h, 0)),
                Type = type,
                Flags = U32(h, 8),
                Alignment = U32(h, 32),
                Size = size,
                Data = type == Elf.SectionNoBits ? [] : f.Slice((int)U32(h, 16), (int)size).ToArray(),
            });
        }
        if (symtab < 0)
            throw new ConversionException("no symbol table");
        ReadOnlySpan<byte> st = Sh(symtab);
        int strtab = (int)U32(st, 24);
        uint symCount = U32(st, 20) / 16;
        for (uint i = 0; i < symCount; i++)
        {
            ReadOnlySpan<byte> s = f.Slice((int)U32(st, 16) + (int)i * 16, 16);
            ushort shndx = BinaryPrimitives.ReadUInt16LittleEndian(s[14..]);
            int section = contentIndex.TryGetValue(shndx, out int ci) ? ci : -1;
            obj.Symbols.Add(new ElfSymbol(Str(strtab, U32(s, 0)), U32(s, 4), U32(s, 8), (byte)(s[12] >> 4), (byte)(s[12] & 0xF),
                section, section >= 0 ? (ushort)0 : shndx));
        }
        for (int i = 1; i < count; i++)
        {
            ReadOnlySpan<byte> h = Sh(i);
            if (U32(h, 4) != Elf.SectionRel || !contentIndex.TryGetValue((int)U32(h, 28), out int target))
                continue;
            uint n = U32(h, 20) / 8;
            for (uint r = 0; r < n; r++)
            {
                ReadOnlySpan<byte> rec = f.Slice((int)U32(h, 16) + (int)r * 8, 8);
                uint info = U32(rec, 4);
                obj.Sections[target].Relocations.Add(new ElfRelocation(U32(rec, 0), (int)(info >> 8), (byte)info));
            }
        }
        return obj;
    }

    private sealed class StringTable
    {
        private readonly MemoryStream _bytes = new();
        private readonly Dictionary<string, uint> _offsets = new(StringComparer.Ordinal);

        public StringTable() => _bytes.WriteByte(0);

        public uint Add(string s)
        {
            if (_offsets.TryGetValue(s, out uint at))
                return at;
            at = (uint)_bytes.Length;
            _bytes.Write(Encoding.UTF8.GetBytes(s));
            _bytes.WriteByte(0);
            _offsets[s] = at;
            return at;
        }

        public byte[] Bytes => _bytes.ToArray();
    }
}
