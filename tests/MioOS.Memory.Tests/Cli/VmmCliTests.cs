using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace MioOS.Memory.Tests.Cli;

/// <summary><c>translate</c> and <c>pagemap</c>, run in-process.</summary>
public class VmmCliTests
{
    private static (int Exit, string Out) Run(params string[] args)
    {
        var r = Support.Cli.Run(args);
        return (r.ExitCode, r.Stdout);
    }

    [Fact]
    public void Translate_reports_identity_mapped_kernel_space_and_faults_elsewhere()
    {
        var (exit, output) = Run("translate", "0xB8000", "0x200010", "0x40000000", "0xFFFFF000", "--write", "--json");
        Assert.Equal(0, exit);
        JsonArray t = JsonNode.Parse(output)!["translations"]!.AsArray();
        Assert.True((bool)t[0]!["mapped"]!);
        Assert.Equal(0xB8000ul, (ulong)t[0]!["physical"]!);
        Assert.Equal("4K", (string)t[0]!["pageSize"]!);
        Assert.Contains("writable", t[0]!["flags"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(0x200010ul, (ulong)t[1]!["physical"]!);
        Assert.False((bool)t[2]!["mapped"]!);
        Assert.Equal(0x40000000u, (uint)t[2]!["fault"]!["cr2"]!);
        Assert.Equal(2u, (uint)t[2]!["fault"]!["errorCode"]!); // not present, write, supervisor
        Assert.True((bool)t[3]!["mapped"]!); // the directory through the recursive entry
    }

    [Fact]
    public void Translate_user_access_to_kernel_pages_is_a_protection_fault()
    {
        var (exit, output) = Run("translate", "0x100000", "--user", "--json");
        Assert.Equal(0, exit);
        JsonNode f = JsonNode.Parse(output)!["translations"]![0]!["fault"]!;
        Assert.Equal(5u, (uint)f["errorCode"]!); // P | U/S
    }

    [Fact]
    public void Translate_refuses_a_64_bit_address()
    {
        var (exit, _) = Run("translate", "0x100000000");
        Assert.Equal(2, exit);
    }

    [Fact]
    public void Translate_prints_a_table()
    {
        var (exit, output) = Run("translate", "0x1000", "0x50000000");
        Assert.Equal(0, exit);
        Assert.Contains("0x00001000", output);
        Assert.Contains("#PF 0x0 not-present R S", output);
    }

    [Fact]
    public void Pagemap_lists_merged_identity_ranges_and_vmm_counts()
    {
        var (exit, output) = Run("pagemap", "--json", "--cpu", "max");
        Assert.Equal(0, exit);
        JsonNode j = JsonNode.Parse(output)!;
        JsonArray ranges = j["ranges"]!.AsArray();
        Assert.Equal(0x1000u, (uint)ranges[0]!["virtual"]!); // page 0 is the NULL guard
        Assert.Equal(0x1000ul, (ulong)ranges[0]!["physical"]!);
        // The first MiB, the kernel, the heap and the metadata are contiguous and share flags: one merged range from 0.
        Assert.True((ulong)ranges[0]!["length"]! >= 0xFF000, output); // the first MiB and the kernel image, merged
        Assert.Contains(ranges, r => (uint)r!["virtual"]! <= 0x200000 && (uint)r["virtual"]! + (ulong)r["length"]! >= 0x500000); // the heap
        Assert.All(ranges, r => Assert.Equal((ulong)(uint)r!["virtual"]!, (ulong)r["physical"]!));
        JsonNode vmm = j["vmm"]!;
        Assert.True((bool)vmm["pagingEnabled"]!);
        ulong pages = ranges.Aggregate(0ul, (s, r) => s + (ulong)r!["length"]! / 4096);
        Assert.Equal(pages, (ulong)vmm["mapped4K"]!);
        Assert.Equal(0u, (uint)vmm["mapped4M"]!);
        Assert.Equal(36, (int)vmm["largePageAddressBits"]!);
    }

    [Fact]
    public void Pagemap_prints_a_table()
    {
        var (exit, output) = Run("pagemap");
        Assert.Equal(0, exit);
        Assert.Contains("paging on", output);
        Assert.Contains("recursive", output);
    }
}
