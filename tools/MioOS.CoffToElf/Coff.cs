using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace MioOS.CoffToElf;

/// <summary>Thrown when an input is not an object this converter understands, or cannot be converted faithfully.</summary>
public sealed class ConversionException(string message) : Exception(message);

/// <summary>Section characteristics of a COFF section header (Microsoft PE/COFF specification, section 3.1).</summary>
[Flags]
public enum CoffSectionFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>Executable code.</summary>
    Code = 0x20,
    /// <summary>Initialised data.</summary>
    InitializedData = 0x40,
    /// <summary>Uninitialised data (no bytes in the file).</summary>
    UninitializedData = 0x80,
    /// <summary>Comments or other information for the linker (e.g. <c>.drectve</c>).</summary>
    LinkInfo = 0x200,
    /// <summary>Not part of the image.</summary>
    LinkRemove = 0x800,
    /// <summary>A COMDAT section.</summary>
    LinkComdat = 0x1000,
    /// <summary>More than 0xFFFF relocations: the real count is in the first relocation.</summary>
    RelocationsOverflow = 0x01000000,
    /// <summary>Discardable.</summary>
    Discardable = 0x02000000,
    /// <summary>Executable.</summary>
    Execute = 0x20000000,
    /// <summary>Readable.</summary>
    Read = 0x40000000,
    /// <summary>Writable.</summary>
    Write = 0x80000000,
}

/// <summary>i386 COFF relocation types.</summary>
public enum CoffRelocationType : ushort
{
    /// <summary>Ignored.</summary>
    Absolute = 0,
    /// <summary>32-bit virtual address of the target (S + A).</summary>
    Dir32 = 6,
    /// <summary>32-bit address of the target relative to the image base (an RVA).</summary>
    Dir32NB = 7,
    /// <summary>16-bit section index (debug information).</summary>
    Section = 0xA,
    /// <summary>32-bit offset from the start of the target's section (debug information).</summary>
    SecRel = 0xB,
    /// <summary>32-bit displacement relative to the end of the 4-byte field: S + A - (P + 4).</summary>
    Rel32 = 0x14,
}

/// <summary>One relocation of a COFF section.</summary>
public readonly record struct CoffRelocation(uint Offset, uint SymbolIndex, CoffRelocationType Type);

/// <summary>One section of a COFF object, with its bytes and relocations.</summary>
public sealed class CoffSection
{
    /// <summary>1-based section number, as symbols refer to it.</summary>
    public required int Number { get; init; }
    /// <summary>The full name (long names resolved from the string table).</summary>
    public required string Name { get; init; }
    /// <summary>Characteristics.</summary>
    public required CoffSectionFlags Flags { get; init; }
    /// <summary>Size in bytes (SizeOfRawData; for uninitialised data the size to reserve).</summary>
    public required uint Size { get; init; }
    /// <summary>The bytes (empty for uninitialised data).</summary>
    public required byte[] Data { get; init; }
    /// <summary>Relocations, in file order.</summary>
    public required IReadOnlyList<CoffRelocation> Relocations { get; init; }

    /// <summary>Alignment in bytes (from the IMAGE_SCN_ALIGN_* bits; 16 when none is given, as link.exe assumes).</summary>
    public uint Alignment
    {
        get
        {
            uint code = ((uint)Flags >> 20) & 0xF;
            return code == 0 ? 16u : 1u << (int)(code - 1);
        }
    }
}

/// <summary>Storage classes of COFF symbols that this converter handles.</summary>
public enum CoffStorageClass : byte
{
    /// <summary>A global symbol (defined when its section number is positive, undefined when 0).</summary>
    External = 2,
    /// <summary>A symbol local to the object (a label, or a section-definition symbol).</summary>
    Static = 3,
    /// <summary>A code label local to the object.</summary>
    Label = 6,
    /// <summary>A function record (begin/end of function).</summary>
    Function = 101,
    /// <summary>The source file name (auxiliary records hold it).</summary>
    File = 103,
    /// <summary>A weak external.</summary>
    WeakExternal = 105,
}

/// <summary>One COFF symbol-table record (auxiliary records are kept raw).</summary>
public sealed class CoffSymbol
{
    /// <summary>Index in the symbol table (auxiliary records count).</summary>
    public required uint Index { get; init; }
    /// <summary>The name.</summary>
    public required string Name { get; init; }
    /// <summary>Value: an offset in its section, or a size for a common symbol.</summary>
    public required uint Value { get; init; }
    /// <summary>1-based section number; 0 = undefined (or common), -1 = absolute, -2 = debug.</summary>
    public required short SectionNumber { get; init; }
    /// <summary>Type; 0x20 = function.</summary>
    public required ushort Type { get; init; }
    /// <summary>Storage class (raw; see <see cref="CoffStorageClass"/>).</summary>
    public required byte StorageClass { get; init; }
    /// <summary>Auxiliary records (18 bytes each).</summary>
    public required byte[] Auxiliary { get; init; }
    /// <summary>How many auxiliary records follow.</summary>
    public int AuxiliaryCount => Auxiliary.Length / CoffObject.SymbolSize;
}

/// <summary>An i386 COFF object file as ILC and nasm -f win32 write it.</summary>
public sealed class CoffObject
{
    /// <summary>IMAGE_FILE_MACHINE_I386.</summary>
    public const ushort MachineI386 = 0x14C;
    /// <summary>Bytes per symbol-table record.</summary>
    public const int SymbolSize = 18;

    private CoffObject(IReadOnlyList<CoffSection> sections, IReadOnlyList<CoffSymbol> symbols, IReadOnlyDictionary<uint, CoffSymbol> byIndex)
    {
        Sections = sections;
        Symbols = symbols;
        SymbolsByIndex = byIndex;
    }

    /// <summary>The sections, in header order (<see cref="CoffSection.Number"/> = position + 1).</summary>
    public IReadOnlyList<CoffSection> Sections { get; }
    /// <summary>The primary symbol records, in table order.</summary>
    public IReadOnlyList<CoffSymbol> Symbols { get; }
    /// <summary>Primary symbol records by table index (what relocations name).</summary>
    public IReadOnlyDictionary<uint, CoffSymbol> SymbolsByIndex { get; }

    /// <summary>Reads an object; throws <see cref="ConversionException"/> naming what is wrong.</summary>
    public static CoffObject Parse(byte[] file)
    {
        ReadOnlySpan<byte> f = file;
        if (f.Length < 20)
            throw new ConversionException("not a COFF object: shorter than its file header");
        ushort machine = BinaryPrimitives.ReadUInt16LittleEndian(f);
        if (machine != MachineI386)
            throw new ConversionException($"not an i386 COFF object: machine 0x{machine:x4} (want 0x{MachineI386:x4})");
        int sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(f[2..]);
        uint symbolTable = BinaryPrimitives.ReadUInt32LittleEndian(f[8..]);
        uint symbolCount = BinaryPrimitives.ReadUInt32LittleEndian(f[12..]);
        int optionalHeader = BinaryPrimitives.ReadUInt16LittleEndian(f[16..]);
        long stringTable = symbolTable + (long)symbolCount * SymbolSize;
        if (stringTable + 4 > f.Length)
            throw new ConversionException("symbol table or string table past the end of the file");
        string LongName(uint offset)
        {
            if (stringTable + offset >= file.Length)
                throw new ConversionException($"string table offset {offset} past its end");
            ReadOnlySpan<byte> s = file.AsSpan((int)(stringTable + offset));
            int end = s.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? s : s[..end]);
        }

        var sections = new List<CoffSection>(sectionCount);
        int header = 20 + optionalHeader;
        for (int i = 0; i < sectionCount; i++, header += 40)
        {
            ReadOnlySpan<byte> h = f.Slice(header, 40);
            ReadOnlySpan<byte> rawName = h[..8];
            int nul = rawName.IndexOf((byte)0);
            string name = Encoding.UTF8.GetString(nul < 0 ? rawName : rawName[..nul]);
            if (name.StartsWith('/'))
                name = LongName(uint.Parse(name[1..], System.Globalization.CultureInfo.InvariantCulture));
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(h[16..]);
            uint dataAt = BinaryPrimitives.ReadUInt32LittleEndian(h[20..]);
            uint relocAt = BinaryPrimitives.ReadUInt32LittleEndian(h[24..]);
            uint relocCount = BinaryPrimitives.ReadUInt16LittleEndian(h[32..]);
            var flags = (CoffSectionFlags)BinaryPrimitives.ReadUInt32LittleEndian(h[36..]);
            bool bss = (flags & CoffSectionFlags.UninitializedData) != 0 && dataAt == 0;
            if (!bss && dataAt + (long)size > f.Length)
                throw new ConversionException($"section {name}: its bytes run past the end of the file");
            int first = 0;
            if ((flags & CoffSectionFlags.RelocationsOverflow) != 0 && relocCount == 0xFFFF)
            {
                relocCount = BinaryPrimitives.ReadUInt32LittleEndian(f[(int)relocAt..]);
                first = 1; // the first record only holds the count (which includes it)
            }
            var relocs = new List<CoffRelocation>((int)relocCount);
            for (int r = first; r < relocCount; r++)
            {
                ReadOnlySpan<byte> rec = f.Slice((int)relocAt + r * 10, 10);
                relocs.Add(new CoffRelocation(BinaryPrimitives.ReadUInt32LittleEndian(rec),
                    BinaryPrimitives.ReadUInt32LittleEndian(rec[4..]), (CoffRelocationType)BinaryPrimitives.ReadUInt16LittleEndian(rec[8..])));
            }
            sections.Add(new CoffSection
            {
                Number = i + 1,
                Name = name,
                Flags = flags,
                Size = size,
                Data = bss ? [] : f.Slice((int)dataAt, (int)size).ToArray(),
                Relocations = relocs,
            });
        }

        var symbols = new List<CoffSymbol>();
        var byIndex = new Dictionary<uint, CoffSymbol>();
        for (uint i = 0; i < symbolCount;)
        {
            ReadOnlySpan<byte> s = f.Slice((int)(symbolTable + i * SymbolSize), SymbolSize);
            string name = BinaryPrimitives.ReadUInt32LittleEndian(s) == 0
                ? LongName(BinaryPrimitives.ReadUInt32LittleEndian(s[4..]))
                : Encoding.UTF8.GetString(s[..8].IndexOf((byte)0) is int n && n >= 0 ? s[..n] : s[..8]);
            int aux = s[17];
            var symbol = new CoffSymbol
            {
                Index = i,
                Name = name,
                Value = BinaryPrimitives.ReadUInt32LittleEndian(s[8..]),
                SectionNumber = BinaryPrimitives.ReadInt16LittleEndian(s[12..]),
                Type = BinaryPrimitives.ReadUInt16LittleEndian(s[14..]),
                StorageClass = s[16],
                Auxiliary = f.Slice((int)(symbolTable + (i + 1) * SymbolSize), aux * SymbolSize).ToArray(),
            };
            symbols.Add(symbol);
            byIndex[i] = symbol;
            i += 1 + (uint)aux;
        }
        return new CoffObject(sections, symbols, byIndex);
    }
}
