using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;

namespace MioOS.CoffToElf;

/// <summary>What a conversion left out.</summary>
public sealed class ConversionReport
{
    /// <summary>Sections not carried over (unwind tables, linker directives, debug information), by name.</summary>
    public List<string> DroppedSections { get; } = [];

    /// <summary>Symbol names that were changed (<c>@</c> is replaced by <see cref="CoffToElfConverter.AtReplacement"/>).</summary>
    public List<(string From, string To)> RenamedSymbols { get; } = [];
}

/// <summary>
/// COFF (i386, as ILC and nasm -f win32 write it) to ELF32 relocatable. What it does and why:
/// <list type="bullet">
/// <item>Every kept section is named by what it holds: <c>.text</c> (code), <c>.rodata</c>, <c>.data</c> or <c>.bss</c>,
/// so a host's linker script needs nothing beyond the usual four. COFF grouped sections (<c>.managedcode$I</c>,
/// <c>.modules$I</c>) are emitted in the order a COFF linker would concatenate them (by the name before <c>$</c>,
/// then the suffix).</item>
/// <item>Unwind data (<c>.pdata</c>, <c>.xdata</c>), <c>.drectve</c>, <c>.debug$*</c> and sections marked LNK_REMOVE or
/// LNK_INFO are dropped: nothing in a freestanding kernel reads them, and <c>.pdata</c> holds image-relative (RVA)
/// relocations that ELF cannot express. A kept section that refers to a dropped one is an error.</item>
/// <item>REL32 becomes R_386_PC32 with the addend in place lowered by 4: COFF computes S + A - (P + 4), ELF S + A - P.
/// DIR32 becomes R_386_32 unchanged. Any other relocation type in a kept section is an error.</item>
/// <item><c>@</c> in symbol names (ILC's <c>?__NONGCSTATICS@Type@@</c>) is replaced, because GNU ld reads
/// <c>name@version</c> as a symbol version.</item>
/// </list>
/// </summary>
public static class CoffToElfConverter
{
    /// <summary>What <c>@</c> in a symbol name becomes.</summary>
    public const string AtReplacement = "$";

    /// <summary>True for COFF sections that are not carried over.</summary>
    public static bool IsDropped(CoffSection section) =>
        section.Name.StartsWith(".pdata", StringComparison.Ordinal)
        || section.Name.StartsWith(".xdata", StringComparison.Ordinal)
        || section.Name.StartsWith(".debug", StringComparison.Ordinal)
        || section.Name == ".drectve"
        || section.Name == ".llvm_addrsig"
        || (section.Flags & (CoffSectionFlags.LinkRemove | CoffSectionFlags.LinkInfo)) != 0;

    /// <summary>The ELF section name for a kept COFF section: by content, not by its COFF name.</summary>
    public static string ElfName(CoffSection section)
    {
        if ((section.Flags & (CoffSectionFlags.Code | CoffSectionFlags.Execute)) != 0)
            return ".text";
        if ((section.Flags & CoffSectionFlags.UninitializedData) != 0)
            return ".bss";
        return (section.Flags & CoffSectionFlags.Write) != 0 ? ".data" : ".rodata";
    }

    private static uint ElfFlags(string name) => name switch
    {
        ".text" => Elf.FlagAlloc | Elf.FlagExec,
        ".rodata" => Elf.FlagAlloc,
        _ => Elf.FlagAlloc | Elf.FlagWrite,
    };

    /// <summary>The symbol name as it appears in the ELF object.</summary>
    public static string ElfSymbolName(string coffName) => coffName.Replace("@", AtReplacement, StringComparison.Ordinal);

    private static (string Group, string Suffix) GroupKey(string name)
    {
        int dollar = name.IndexOf('$');
        return dollar < 0 ? (name, "") : (name[..dollar], name[(dollar + 1)..]);
    }

    /// <summary>Converts one object.</summary>
    public static ElfObject Convert(CoffObject coff, ConversionReport? report = null)
    {
        report ??= new ConversionReport();
        var elf = new ElfObject();

        // Sections, in COFF grouping order (stable: equal keys keep header order).
        var kept = new List<CoffSection>();
        foreach (CoffSection s in coff.Sections)
        {
            if (IsDropped(s))
                report.DroppedSections.Add(s.Name);
            else
                kept.Add(s);
        }
        kept = kept.OrderBy(s => GroupKey(s.Name).Group, StringComparer.Ordinal)
                   .ThenBy(s => GroupKey(s.Name).Suffix, StringComparer.Ordinal).ToList();
        var elfSection = new Dictionary<int, int>(); // COFF section number -> ELF content index
        foreach (CoffSection s in kept)
        {
            string name = ElfName(s);
            bool bss = name == ".bss";
            elfSection[s.Number] = elf.Sections.Count;
            elf.Sections.Add(new ElfSection
            {
                Name = name,
                Type = bss ? Elf.SectionNoBits : Elf.SectionProgBits,
                Flags = ElfFlags(name),
                Alignment = s.Alignment,
                Size = s.Size,
                Data = bss ? [] : (byte[])s.Data.Clone(),
            });
        }

        // Symbols: one STT_SECTION per section, then locals, then globals.
        var sectionSymbol = new Dictionary<int, int>(); // COFF section number -> ELF symbol index
        foreach (CoffSection s in kept)
        {
            sectionSymbol[s.Number] = elf.Symbols.Count;
            elf.Symbols.Add(new ElfSymbol("", 0, 0, Elf.BindLocal, Elf.TypeSection, elfSection[s.Number]));
        }
        var symbolIndex = new Dictionary<uint, int>(); // COFF symbol index -> ELF symbol index
        var droppedSymbols = new HashSet<uint>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal); // ELF name -> COFF name
        var globals = new List<(uint Index, ElfSymbol Symbol)>();

        string Name(CoffSymbol s)
        {
            string name = ElfSymbolName(s.Name);
            if (name != s.Name)
            {
                if (names.TryGetValue(name, out string? other) && other != s.Name)
                    throw new ConversionException($"symbols {other} and {s.Name} would both be named {name}");
                names[name] = s.Name;
                report.RenamedSymbols.Add((s.Name, name));
            }
            return name;
        }

        byte TypeOf(CoffSymbol s, int section) =>
            section >= 0 && elf.Sections[section].Name == ".text" ? Elf.TypeFunc
            : section >= 0 ? Elf.TypeObject : Elf.TypeNone;

        foreach (CoffSymbol s in coff.Symbols)
        {
            switch ((CoffStorageClass)s.StorageClass)
            {
                case CoffStorageClass.File:
                case CoffStorageClass.Function:
                    continue;
                case CoffStorageClass.Static:
                case CoffStorageClass.Label:
                    if (s.SectionNumber <= 0)
                        continue; // absolute markers such as @feat.00
                    if (!elfSection.TryGetValue(s.SectionNumber, out int ls))
                    {
                        droppedSymbols.Add(s.Index);
                        continue;
                    }
                    if (s.Value == 0 && s.AuxiliaryCount > 0 && s.Name == coff.Sections[s.SectionNumber - 1].Name)
                    {
                        symbolIndex[s.Index] = sectionSymbol[s.SectionNumber];
                        continue;
                    }
                    symbolIndex[s.Index] = elf.Symbols.Count;
                    elf.Symbols.Add(new ElfSymbol(Name(s), s.Value, 0, Elf.BindLocal, TypeOf(s, ls), ls));
                    continue;
                case CoffStorageClass.External:
                    if (s.SectionNumber > 0)
                    {
                        if (!elfSection.TryGetValue(s.SectionNumber, out int gs))
                        {
                            droppedSymbols.Add(s.Index);
                            continue;
                        }
                        globals.Add((s.Index, new ElfSymbol(Name(s), s.Value, 0, Elf.BindGlobal, TypeOf(s, gs), gs)));
                    }
                    else if (s.SectionNumber == 0)
                    {
                        globals.Add((s.Index, s.Value == 0
                            ? new ElfSymbol(Name(s), 0, 0, Elf.BindGlobal, Elf.TypeNone, -1, Elf.SectionUndefined)
                            : new ElfSymbol(Name(s), 4, s.Value, Elf.BindGlobal, Elf.TypeObject, -1, Elf.SectionCommon)));
                    }
                    else if (s.SectionNumber == -1)
                    {
                        globals.Add((s.Index, new ElfSymbol(Name(s), s.Value, 0, Elf.BindGlobal, Elf.TypeNone, -1, Elf.SectionAbsolute)));
                    }
                    continue;
                default:
                    throw new ConversionException($"symbol {s.Name}: storage class {s.StorageClass} is not supported");
            }
        }
        foreach ((uint index, ElfSymbol symbol) in globals)
        {
            symbolIndex[index] = elf.Symbols.Count;
            elf.Symbols.Add(symbol);
        }

        // Relocations.
        foreach (CoffSection s in kept)
        {
            ElfSection target = elf.Sections[elfSection[s.Number]];
            foreach (CoffRelocation r in s.Relocations)
            {
                if (r.Type == CoffRelocationType.Absolute)
                    continue;
                string where = $"{s.Name} + 0x{r.Offset:x}";
                if (!symbolIndex.TryGetValue(r.SymbolIndex, out int symbol))
                {
                    string what = coff.SymbolsByIndex.TryGetValue(r.SymbolIndex, out CoffSymbol? cs) ? cs.Name : $"#{r.SymbolIndex}";
                    throw new ConversionException(droppedSymbols.Contains(r.SymbolIndex)
                        ? $"{where} refers to {what}, which lies in a dropped section"
                        : $"{where} refers to symbol {what}, which has no ELF counterpart");
                }
                if (target.Type == Elf.SectionNoBits || r.Offset + 4 > target.Size)
                    throw new ConversionException($"{where}: relocation outside the section's bytes");
                switch (r.Type)
                {
                    case CoffRelocationType.Dir32:
                        target.Relocations.Add(new ElfRelocation(r.Offset, symbol, Elf.R386_32));
                        break;
                    case CoffRelocationType.Rel32:
                        Span<byte> field = target.Data.AsSpan((int)r.Offset, 4);
                        BinaryPrimitives.WriteInt32LittleEndian(field, BinaryPrimitives.ReadInt32LittleEndian(field) - 4);
                        target.Relocations.Add(new ElfRelocation(r.Offset, symbol, Elf.R386_PC32));
                        break;
                    default:
                        throw new ConversionException($"{where}: relocation type {r.Type} (0x{(ushort)r.Type:x}) has no ELF equivalent here");
                }
            }
        }
        return elf;
    }

    /// <summary>
    /// Makes every global symbol of a (linked, <c>ld -r</c>) object local except <paramref name="keep"/>, and checks
    /// the result: each kept name must be defined, and nothing may be undefined. Locals are moved before globals as
    /// ELF requires, and relocations follow their symbols.
    /// </summary>
    public static ElfObject Localize(ElfObject input, IReadOnlyCollection<string> keep)
    {
        var keepSet = new HashSet<string>(keep, StringComparer.Ordinal);
        var undefined = input.Symbols.Skip(1).Where(s => s.Section < 0 && s.SpecialSection == Elf.SectionUndefined).Select(s => s.Name).ToList();
        if (undefined.Count > 0)
            throw new ConversionException($"undefined symbols (the host would have to provide them): {string.Join(' ', undefined.Order(StringComparer.Ordinal))}");
        var missing = keepSet.Where(k => !input.Symbols.Any(s => s.Name == k && s.Binding != Elf.BindLocal && s.Section >= 0)).ToList();
        if (missing.Count > 0)
            throw new ConversionException($"not defined as global: {string.Join(' ', missing.Order(StringComparer.Ordinal))}");

        var output = new ElfObject();
        output.Symbols.Clear();
        output.Sections.AddRange(input.Sections.Select(s => new ElfSection
        {
            Name = s.Name, Type = s.Type, Flags = s.Flags, Alignment = s.Alignment, Data = s.Data, Size = s.Size,
        }));
        var order = Enumerable.Range(0, input.Symbols.Count)
            .OrderBy(i => i == 0 ? 0 : IsGlobal(input.Symbols[i]) ? 2 : 1).ThenBy(i => i).ToList();
        var remap = new int[input.Symbols.Count];
        foreach (int i in order)
        {
            ElfSymbol s = input.Symbols[i];
            remap[i] = output.Symbols.Count;
            output.Symbols.Add(IsGlobal(s) || i == 0 ? s : s with { Binding = Elf.BindLocal });
        }
        for (int i = 0; i < input.Sections.Count; i++)
            output.Sections[i].Relocations.AddRange(input.Sections[i].Relocations.Select(r => r with { Symbol = remap[r.Symbol] }));
        return output;

        bool IsGlobal(ElfSymbol s) => s.Binding != Elf.BindLocal && keepSet.Contains(s.Name);
    }
}
