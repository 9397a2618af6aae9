using System.Text.RegularExpressions;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Cli;

/// <summary>What a new user hits first: sizes as QEMU reads them, messages in the user's terms, output that does
/// not wrap when redirected and never splits an address, grammar.</summary>
public class UserFacingTests
{
    [Theory]
    [InlineData("128", 128ul << 20)]
    [InlineData("128M", 128ul << 20)]
    [InlineData("128MiB", 128ul << 20)]
    [InlineData("5G", 5ul << 30)]
    [InlineData("3.5G", 3584ul << 20)]
    public void A_bare_memory_size_is_MiB_as_qemus_m_reads_it(string size, ulong bytes)
    {
        var r = Support.Cli.Run("meminfo", "--memory", size, "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(bytes, (ulong)r.Json["machine"]!["ramBytes"]!);
    }

    [Theory]
    [InlineData("1", "at least 2 MiB")]
    [InlineData("lots", "not a memory size")]
    [InlineData("0", "at least 2 MiB")]
    public void A_bad_memory_size_says_what_is_wrong_in_the_users_terms(string size, string what)
    {
        var r = Support.Cli.Run("meminfo", "--memory", size);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(what, r.Stderr);
        Assert.Contains("Try 'mioos-mm meminfo --help'.", r.Stderr);
        Assert.DoesNotContain("Parameter", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void Installed_memory_is_the_machines_ram_size()
    {
        var r = Support.Cli.Run("meminfo");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"installed\s*│\s*128 MiB", r.Stdout);
        Assert.Equal(134217728ul, (ulong)Support.Cli.Run("boot", "--json").Json["machine"]!["ramBytes"]!);
    }

    [Fact]
    public void Redirected_output_is_not_wrapped()
    {
        var r = Support.Cli.Run("boot");
        Assert.Equal(0, r.ExitCode);
        // The vmm row holds the whole summary, CR4 included, on one line.
        Assert.Matches(@"│ vmm .*paging on.*CR4 0x[0-9A-F]{8}", r.Stdout);
        Assert.Contains(r.Stdout.Split('\n'), line => line.Length > 120);
    }

    [Theory]
    [InlineData("boot")]
    [InlineData("meminfo", "-v", "--mmap", "-m", "5G")]
    [InlineData("pagemap")]
    [InlineData("translate", "0x1000", "0x50000000")]
    [InlineData("heapinfo")]
    public void Narrow_output_wraps_but_never_splits_an_address(params string[] args)
    {
        var wide = Support.Cli.Run(args);
        var narrow = Support.Cli.RunWith("", 60, args);
        Assert.Equal(0, narrow.ExitCode);
        string[] Addresses(string text) => Regex.Matches(text, "0x[0-9A-F]+").Select(m => m.Value).ToArray();
        Assert.NotEmpty(Addresses(wide.Stdout));
        Assert.Equal(Addresses(wide.Stdout).Order(), Addresses(narrow.Stdout).Order());
    }

    [Fact]
    public void Counts_of_one_are_singular()
    {
        var r = Support.Cli.Run("heapinfo");
        Assert.Contains("1 segment ", r.Stdout);
        Assert.Contains("in 1 block;", r.Stdout);
        Assert.DoesNotContain("(s)", r.Stdout);
        Assert.DoesNotContain(" 1 blocks", r.Stdout);
        Assert.DoesNotContain(" 1 frames", Support.Cli.Run("boot").Stdout);
    }

    [Fact]
    public void Memory_types_have_one_name_in_tables_and_pictures()
    {
        string map = TestData.MemoryMap("12-supermicro-h13dsg-epyc-1.5tib.txt");
        var table = Support.Cli.Run("meminfo", "--memmap", map, "--mmap");
        Assert.Contains("acpiNvs", table.Stdout);
        string svg = Path.Combine(Path.GetTempPath(), $"mioos-names-{Guid.NewGuid():N}.svg");
        try
        {
            Assert.Equal(0, Support.Cli.Run("map", "--memmap", map, "-o", svg).ExitCode);
            string text = File.ReadAllText(svg);
            Assert.Contains("acpiNvs", text);
            Assert.DoesNotContain("ACPI NVS", text);
        }
        finally
        {
            File.Delete(svg);
        }
    }

    [Fact]
    public void Translate_shows_the_directory_and_table_indices_and_the_raw_entries_it_walked()
    {
        var r = Support.Cli.Run("translate", "0x00201234", "0x50000000");
        Assert.Equal(0, r.ExitCode);
        var json = Support.Cli.Run("translate", "0x00201234", "--json").Json["translations"]![0]!;
        Assert.Matches($@"0x00201234 .*PDE\[0\] = 0x{(uint)json["pde"]!:X8} .*PTE\[513\] = 0x{(uint)json["pte"]!:X8} .*0x00201234", r.Stdout);
        Assert.Matches(@"0x50000000 .*PDE\[320\] = 0x00000000 .*\(not read\) .*#PF", r.Stdout);
    }

    [Fact]
    public void Map_has_no_json_switch_it_would_ignore()
    {
        var r = Support.Cli.Run("map", "-o", "/tmp/x.svg", "--json");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--json", r.Stderr);
        Assert.Contains("Try 'mioos-mm map --help'.", r.Stderr);
    }
}
