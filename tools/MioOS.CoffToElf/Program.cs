using System;
using System.IO;
using System.Linq;
using MioOS.CoffToElf;

// coff2elf convert IN.obj OUT.o          COFF i386 -> ELF32 relocatable
// coff2elf localize IN.o OUT.o KEEPFILE  all globals local but the names in KEEPFILE (one a line); fails on undefined symbols
try
{
    if (args.Length == 3 && args[0] == "convert")
    {
        var report = new ConversionReport();
        ElfObject elf = CoffToElfConverter.Convert(CoffObject.Parse(File.ReadAllBytes(args[1])), report);
        File.WriteAllBytes(args[2], elf.Write());
        Console.WriteLine($"{Path.GetFileName(args[1])} -> {Path.GetFileName(args[2])}: {elf.Sections.Count} sections, "
            + $"{elf.Symbols.Count - 1} symbols, {elf.Sections.Sum(s => s.Relocations.Count)} relocations; "
            + $"dropped {report.DroppedSections.Count} sections, renamed {report.RenamedSymbols.Count} symbols");
        return 0;
    }
    if (args.Length == 4 && args[0] == "localize")
    {
        string[] keep = File.ReadAllLines(args[3]).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        ElfObject elf = CoffToElfConverter.Localize(ElfObject.Read(File.ReadAllBytes(args[1])), keep);
        File.WriteAllBytes(args[2], elf.Write());
        Console.WriteLine($"{Path.GetFileName(args[2])}: {keep.Length} global symbols, {elf.Symbols.Count - 1 - keep.Length} local");
        return 0;
    }
    Console.Error.WriteLine("usage: coff2elf convert IN.obj OUT.o | coff2elf localize IN.o OUT.o KEEPFILE");
    return 2;
}
catch (Exception e) when (e is ConversionException or IOException)
{
    Console.Error.WriteLine($"coff2elf: {e.Message}");
    return 1;
}
