using System.Buffers.Binary;
using System.Text;
using MioOS.CoffToElf;

namespace MioOS.Memory.Tests.CLib;

/// <summary>The COFF -> ELF step of the C library's build, on objects written here byte by byte: the fixes that
/// make the result correct (PC32 addends, section names and order, dropped unwind tables, '@' in names) and the
/// refusals that keep a wrong object from being written.</summary>
public sealed class CoffToElfTests
{
    private const uint Code = 0x60000020 | (6u << 20);   // code, execute, read, 32-byte aligned
    private const uint RData = 0x40000040 | (3u << 20);  // initialised data, read, 4-byte aligned
    private const uint Data = 0xC0000040 | (3u << 20);   // initialised data, read, write
    private const uint Bss = 0xC0000080 | (3u << 20);

    private sealed record Sec(string Name, uint Flags, byte[] Data, (uint Offset, uint Symbol, ushort Type)[] Relocs);
    private sealed record Sym(string Name, uint Value, short Section, byte Class, byte Aux = 0);

    /// <summary>An i386 COFF object: sections, then relocations, then the symbol table and the string table.</summary>
    private static byte[] Coff(Sec[] sections, Sym[] symbols)
    {
        var strings = new List<byte>();
        byte[] Name8(string name)
        {
            var b = new byte[8];
            if (name.Length <= 8)
                Encoding.ASCII.GetBytes(name).CopyTo(b, 0);
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)(4 + strings.Count));
                strings.AddRange(Encoding.ASCII.GetBytes(name));
                strings.Add(0);
            }
            return b;
        }
        int headers = 20 + 40 * sections.Length;
        int at = headers;
        var dataAt = new int[sections.Length];
        var relocAt = new int[sections.Length];
        for (int i = 0; i < sections.Length; i++)
        {
            dataAt[i] = (sections[i].Flags & 0x80) != 0 ? 0 : at;
            if ((sections[i].Flags & 0x80) == 0)
                at += sections[i].Data.Length;
            relocAt[i] = at;
            at += 10 * sections[i].Relocs.Length;
        }
        int symtab = at;
        int symbolRecords = symbols.Sum(s => 1 + s.Aux);
        var file = new byte[symtab + 18 * symbolRecords];
        Span<byte> f = file;
        BinaryPrimitives.WriteUInt16LittleEndian(f, 0x14C);
        BinaryPrimitives.WriteUInt16LittleEndian(f[2..], (ushort)sections.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(f[8..], (uint)symtab);
        BinaryPrimitives.WriteUInt32LittleEndian(f[12..], (uint)symbolRecords);
        for (int i = 0; i < sections.Length; i++)
        {
            Span<byte> h = f.Slice(20 + 40 * i, 40);
            if (sections[i].Name.Length > 8)
            {
                Encoding.ASCII.GetBytes("/" + (4 + strings.Count)).CopyTo(h);
                strings.AddRange(Encoding.ASCII.GetBytes(sections[i].Name));
                strings.Add(0);
            }
            else
                Encoding.ASCII.GetBytes(sections[i].Name).CopyTo(h);
            BinaryPrimitives.WriteUInt32LittleEndian(h[16..], (uint)sections[i].Data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(h[20..], (uint)dataAt[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(h[24..], (uint)relocAt[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(h[32..], (ushort)sections[i].Relocs.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(h[36..], sections[i].Flags);
            if (dataAt[i] != 0)
                sections[i].Data.CopyTo(f[dataAt[i]..]);
            for (int r = 0; r < sections[i].Relocs.Length; r++)
            {
                Span<byte> rec = f.Slice(relocAt[i] + 10 * r, 10);
                BinaryPrimitives.WriteUInt32LittleEndian(rec, sections[i].Relocs[r].Offset);
                BinaryPrimitives.WriteUInt32LittleEndian(rec[4..], sections[i].Relocs[r].Symbol);
                BinaryPrimitives.WriteUInt16LittleEndian(rec[8..], sections[i].Relocs[r].Type);
            }
        }
        int index = 0;
        foreach (Sym s in symbols)
        {
            Span<byte> rec = f.Slice(symtab + 18 * index, 18);
            Name8(s.Name).CopyTo(rec);
            BinaryPrimitives.WriteUInt32LittleEndian(rec[8..], s.Value);
            BinaryPrimitives.WriteInt16LittleEndian(rec[12..], s.Section);
            rec[16] = s.Class;
            rec[17] = s.Aux;
            index += 1 + s.Aux;
        }
        var table = new byte[4 + strings.Count];
        BinaryPrimitives.WriteUInt32LittleEndian(table, (uint)table.Length);
        strings.ToArray().CopyTo(table, 4);
        return [.. file, .. table];
    }

    private static byte[] Bytes(params byte[] b) => b;

    /// <summary>A code section that calls an undefined function (REL32, addend 0 in place as compilers write it)
    /// and loads the address of a data word (DIR32, addend 4), plus unwind tables and a grouped section.</summary>
    private static byte[] Sample(ushort secondType = 6) => Coff(
        [
            new(".managedcode$I", Code, Bytes(0xE8, 0, 0, 0, 0, 0xB8, 4, 0, 0, 0, 0xC3), [(1, 3, 0x14), (6, 4, secondType)]),
            new(".data", Data, Bytes(1, 0, 0, 0, 2, 0, 0, 0), []),
            new(".pdata", RData, Bytes(0, 0, 0, 0), [(0, 0, 7)]),
            new(".xdata", RData, Bytes(9, 9), []),
            new(".rdata$Z", RData, Bytes(0x5A), []),
            new(".rdata$A", RData, Bytes(0x41), []),
        ],
        [
            new(".managedcode$I", 0, 1, 3, 1),
            new("_start", 0, 1, 2),
            new("callee", 0, 0, 2),
            new("?__NONGCSTATICS@Type@@", 0, 2, 2),
            new("_unwind0", 0, 4, 2),
        ]);

    [Fact]
    public void Rel32_becomes_pc32_with_the_addend_moved_by_4_and_dir32_stays()
    {
        ElfObject elf = CoffToElfConverter.Convert(CoffObject.Parse(Sample()));
        ElfSection text = Assert.Single(elf.Sections, s => s.Name == ".text");
        ElfRelocation call = Assert.Single(text.Relocations, r => r.Offset == 1);
        Assert.Equal(Elf.R386_PC32, call.Type);
        Assert.Equal("callee", elf.Symbols[call.Symbol].Name);
        // COFF: S + A - (P + 4) with A = 0 in place; ELF: S + A - P, so A = -4 in place.
        Assert.Equal(-4, BinaryPrimitives.ReadInt32LittleEndian(text.Data.AsSpan(1)));
        ElfRelocation load = Assert.Single(text.Relocations, r => r.Offset == 6);
        Assert.Equal(Elf.R386_32, load.Type);
        Assert.Equal(4, BinaryPrimitives.ReadInt32LittleEndian(text.Data.AsSpan(6)));
    }

    [Fact]
    public void Sections_are_named_by_content_grouped_in_coff_order_and_unwind_tables_dropped()
    {
        var report = new ConversionReport();
        ElfObject elf = CoffToElfConverter.Convert(CoffObject.Parse(Sample()), report);
        Assert.Equal([".data", ".text", ".rodata", ".rodata"], elf.Sections.Select(s => s.Name));
        // .rdata$A before .rdata$Z, as a COFF linker concatenates them.
        Assert.Equal([(byte)0x41, (byte)0x5A], elf.Sections.Where(s => s.Name == ".rodata").Select(s => s.Data[0]));
        Assert.Equal([".pdata", ".xdata"], report.DroppedSections);
        Assert.Equal(32u, elf.Sections.Single(s => s.Name == ".text").Alignment);
        Assert.Equal(Elf.FlagAlloc | Elf.FlagExec, elf.Sections.Single(s => s.Name == ".text").Flags);
        Assert.DoesNotContain(elf.Symbols, s => s.Name == "_unwind0");
    }

    [Fact]
    public void At_signs_are_renamed_and_the_written_object_reads_back()
    {
        var report = new ConversionReport();
        byte[] written = CoffToElfConverter.Convert(CoffObject.Parse(Sample()), report).Write();
        ElfObject back = ElfObject.Read(written);
        Assert.Contains(back.Symbols, s => s.Name == "?__NONGCSTATICS$Type$$" && s.Binding == Elf.BindGlobal);
        Assert.DoesNotContain(back.Symbols, s => s.Name.Contains('@'));
        Assert.Equal(("?__NONGCSTATICS@Type@@", "?__NONGCSTATICS$Type$$"), Assert.Single(report.RenamedSymbols));
        Assert.Contains(back.Symbols, s => s.Name == "callee" && s.Section < 0 && s.SpecialSection == Elf.SectionUndefined);
        Assert.Equal(2, back.Sections.Single(s => s.Name == ".text").Relocations.Count);
        // Locals first, then globals, as ELF requires.
        int firstGlobal = back.Symbols.FindIndex(s => s.Binding != Elf.BindLocal);
        Assert.All(back.Symbols.Skip(firstGlobal), s => Assert.NotEqual(Elf.BindLocal, s.Binding));
    }

    [Fact]
    public void An_image_relative_relocation_in_a_kept_section_is_refused()
    {
        var e = Assert.Throws<ConversionException>(() => CoffToElfConverter.Convert(CoffObject.Parse(Sample(secondType: 7))));
        Assert.Contains("Dir32NB", e.Message);
    }

    [Fact]
    public void A_kept_section_that_refers_to_a_dropped_one_is_refused()
    {
        byte[] coff = Coff(
            [new(".data", Data, Bytes(0, 0, 0, 0), [(0, 1, 6)]), new(".xdata", RData, Bytes(1), [])],
            [new("_x", 0, 1, 2), new("_unwind", 0, 2, 2)]);
        var e = Assert.Throws<ConversionException>(() => CoffToElfConverter.Convert(CoffObject.Parse(coff)));
        Assert.Contains("dropped section", e.Message);
    }

    [Fact]
    public void A_non_i386_object_is_refused()
    {
        byte[] coff = Sample();
        coff[0] = 0x64; coff[1] = 0x86; // AMD64
        Assert.Throws<ConversionException>(() => CoffObject.Parse(coff));
    }

    [Fact]
    public void Localize_keeps_only_the_listed_globals_and_refuses_undefined_symbols()
    {
        ElfObject elf = CoffToElfConverter.Convert(CoffObject.Parse(Coff(
            [new(".text", Code, Bytes(0xE8, 0, 0, 0, 0, 0xC3, 0xC3), [(1, 1, 0x14)])],
            [new("api", 0, 1, 2), new("helper", 6, 1, 2)])));
        ElfObject local = ElfObject.Read(CoffToElfConverter.Localize(elf, ["api"]).Write());
        Assert.Equal(Elf.BindGlobal, local.Symbols.Single(s => s.Name == "api").Binding);
        Assert.Equal(Elf.BindLocal, local.Symbols.Single(s => s.Name == "helper").Binding);
        // The call to helper still names helper after the symbol table was reordered (locals first).
        ElfRelocation r = Assert.Single(local.Sections[0].Relocations);
        Assert.Equal("helper", local.Symbols[r.Symbol].Name);
        Assert.True(local.Symbols.FindIndex(s => s.Name == "helper") < local.Symbols.FindIndex(s => s.Name == "api"));

        ElfObject open = CoffToElfConverter.Convert(CoffObject.Parse(Sample()));
        var e = Assert.Throws<ConversionException>(() => CoffToElfConverter.Localize(open, ["_start"]));
        Assert.Contains("callee", e.Message);
        Assert.Throws<ConversionException>(() => CoffToElfConverter.Localize(elf, ["missing"]));
    }
}
