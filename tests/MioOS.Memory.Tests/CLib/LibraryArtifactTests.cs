using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using MioOS.CoffToElf;

namespace MioOS.Memory.Tests.CLib;

/// <summary>What the archive and the header promise a host: one ELF32 i386 object, only the API global, nothing
/// undefined, and one list of names and codes shared by the header, the thunks and the C# layer.</summary>
public sealed partial class LibraryArtifactTests(CLibFixture lib) : IClassFixture<CLibFixture>
{
    private static string Repo(CLibFixture lib, params string[] parts) => Path.Combine([lib.Build.RepositoryRoot, .. parts]);

    /// <summary>The members of a System V / GNU ar archive (name, bytes), the symbol index left out.</summary>
    private static List<(string Name, byte[] Data)> ArMembers(byte[] archive)
    {
        Assert.Equal("!<arch>\n", Encoding.ASCII.GetString(archive, 0, 8));
        var members = new List<(string, byte[])>();
        for (int at = 8; at + 60 <= archive.Length;)
        {
            string name = Encoding.ASCII.GetString(archive, at, 16).TrimEnd();
            int size = int.Parse(Encoding.ASCII.GetString(archive, at + 48, 10).Trim());
            if (name != "/" && name != "//")
                members.Add((name.TrimEnd('/'), archive.AsSpan(at + 60, size).ToArray()));
            at += 60 + size + (size & 1);
        }
        return members;
    }

    private static IReadOnlyList<string> ApiNames(CLibFixture lib) =>
        File.ReadAllLines(Repo(lib, "src", "MioOS.Memory.CLib", "native", "api.txt"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    [GeneratedRegex(@"^[a-z_][a-z_0-9 ]*[ *]([a-z_][a-z_0-9]*)\(", RegexOptions.Multiline)]
    private static partial Regex Prototype();

    [GeneratedRegex(@"^#define (MM_E_[A-Z_0-9]+)\s+\((-\d+)\)", RegexOptions.Multiline)]
    private static partial Regex HeaderCode();

    [GeneratedRegex(@"^\s+([A-Za-z]+) = (-?\d+),", RegexOptions.Multiline)]
    private static partial Regex EnumMember();

    [Fact]
    public void The_archive_holds_one_elf32_object_whose_only_globals_are_the_api_and_nothing_is_undefined()
    {
        var members = ArMembers(File.ReadAllBytes(lib.Build.Library));
        (string name, byte[] data) = Assert.Single(members);
        Assert.EndsWith(".o", name);
        ElfObject o = ElfObject.Read(data);
        var globals = o.Symbols.Where(s => s.Binding != Elf.BindLocal && s.Name.Length > 0).Select(s => s.Name).Order().ToList();
        Assert.Equal(ApiNames(lib).Order(), globals);
        Assert.All(o.Symbols.Where(s => s.Binding != Elf.BindLocal), s => Assert.True(s.Section >= 0, $"{s.Name} is not defined here"));
        Assert.DoesNotContain(o.Symbols.Skip(1), s => s.Section < 0 && s.SpecialSection == Elf.SectionUndefined);
        // Only the usual sections: a host's linker script needs nothing else.
        Assert.Empty(o.Sections.Where(s => (s.Flags & Elf.FlagAlloc) != 0).Select(s => s.Name)
            .Except([".text", ".rodata", ".data", ".bss"]));
        Assert.DoesNotContain(o.Symbols, s => s.Name.Contains('@'));
    }

    [Fact]
    public void The_header_declares_exactly_the_exported_functions()
    {
        string header = File.ReadAllText(lib.Build.Header);
        Assert.Equal(File.ReadAllText(Repo(lib, "include", "mioos", "memory.h")), header);
        var declared = Prototype().Matches(header).Select(m => m.Groups[1].Value).Order().ToList();
        Assert.Equal(ApiNames(lib).Order(), declared);
        string thunks = File.ReadAllText(Repo(lib, "src", "MioOS.Memory.CLib", "native", "exports.asm"));
        Assert.All(ApiNames(lib), n => Assert.Matches($@"(?m)^(THUNK {n},|global {n}$)", thunks));
    }

    [Fact]
    public void Every_status_code_has_one_value_and_the_csharp_layer_uses_the_same_ones()
    {
        string header = File.ReadAllText(lib.Build.Header);
        var codes = HeaderCode().Matches(header).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        Assert.Equal(codes.Count, codes.Values.Distinct().Count());
        Assert.All(HeaderCode().Matches(header), m => Assert.Matches(@"/\* \S.* \*/$", header.Split('\n').Single(l => l.StartsWith(m.Value))));
        string source = File.ReadAllText(Repo(lib, "src", "MioOS.Memory.CLib", "Api", "MmStatus.cs"));
        var members = EnumMember().Matches(source).Where(m => m.Groups[1].Value != "Ok")
            .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        Assert.Equal(codes.Values.Order(), members.Values.Order());
        // Each C# member's C name (as MmStatuses.Name spells it) is the header's name for the same value.
        foreach ((string member, int value) in members)
        {
            Match name = Regex.Match(source, $@"MmStatus\.{member} => P\(""(MM_E_[A-Z_0-9]+)""u8\)");
            Assert.True(name.Success, member);
            Assert.Equal(codes[name.Groups[1].Value], value);
        }
    }

    [Fact]
    public void The_header_compiles_as_freestanding_c99_and_cpp()
    {
        string dir = Directory.CreateTempSubdirectory("mioos-h").FullName;
        try
        {
            string c = Path.Combine(dir, "t.c");
            File.WriteAllText(c, "#include <mioos/memory.h>\ntypedef char stats_size_is_192[sizeof(struct mm_stats) == 192 ? 1 : -1];\nint main_(void) { return MM_OK; }\n");
            Compile("gcc", "-m32", "-std=c99", "-ffreestanding", "-Wall", "-Wextra", "-pedantic", "-Werror", "-c", c);
            string cc = Path.Combine(dir, "t.cc");
            File.WriteAllText(cc, "#include <mioos/memory.h>\nint f() { return mm_init(0, 0, 0, 0); }\n");
            Compile("g++", "-m32", "-ffreestanding", "-Wall", "-Werror", "-c", cc);

            void Compile(string compiler, params string[] args)
            {
                var psi = new ProcessStartInfo(compiler) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = dir };
                foreach (string a in args.Append($"-I{Path.GetDirectoryName(Path.GetDirectoryName(lib.Build.Header))}"))
                    psi.ArgumentList.Add(a);
                using Process p = Process.Start(psi)!;
                string err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                Assert.True(p.ExitCode == 0, $"{compiler}: {err}");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
