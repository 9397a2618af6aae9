using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Cli;

public class BootAndMeminfoCommandTests
{
    [Fact]
    public void Boot_on_the_default_machine_reports_the_qemu_128M_figures_as_json()
    {
        var r = Support.Cli.Run("boot", "--json");
        Assert.Equal(0, r.ExitCode);
        var j = r.Json;
        Assert.Equal(32639ul, (ulong)j["firmware"]!["usableFramesBelow4G"]!);
        Assert.Equal(0ul, (ulong)j["firmware"]!["usableFramesAbove4G"]!);
        Assert.Equal(6, j["memoryMap"]!.AsArray().Count);
        Assert.Equal("available", (string)j["memoryMap"]![3]!["type"]!);
        Assert.Equal(0x100000ul, (ulong)j["memoryMap"]![3]!["base"]!);
        var pmm = j["pmm"]!;
        Assert.Equal("ok", (string)pmm["integrity"]!);
        // The only frames in use after boot are the VMM's: its state frame, the directory and the page tables.
        Assert.True((bool)j["vmm"]!["pagingEnabled"]!);
        Assert.Equal((ulong)j["vmm"]!["pageTables"]! + 2, (ulong)pmm["usedFrames"]!);
        Assert.True((ulong)pmm["freeFramesLow"]! > 30000);
        Assert.True((uint)pmm["freeExtents"]! >= 1);
    }

    [Fact]
    public void Meminfo_with_a_memory_size_gives_qemus_split_around_the_pci_hole()
    {
        var r = Support.Cli.Run("meminfo", "--memory", "5G", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(524288ul, (ulong)r.Json["firmware"]!["usableFramesAbove4G"]!);
        Assert.Equal((0xC0000000ul - 0x100000 - 0x20000) / 4096 + 159, (ulong)r.Json["firmware"]!["usableFramesBelow4G"]!);
    }

    [Fact]
    public void Meminfo_human_output_has_a_usage_bar_and_the_map_table()
    {
        var r = Support.Cli.Run("meminfo", "-v", "--mmap");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("% used", r.Stdout);
        Assert.Contains("PMM metadata", r.Stdout);
        Assert.Contains("available", r.Stdout);
    }

    [Fact]
    public void A_garbled_map_file_exits_2_with_one_line_naming_the_line()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mioos-garbled-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "0x0 0x9fbff usable\nnot a memory map\n");
        try
        {
            var r = Support.Cli.Run("meminfo", "--memmap", path);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains($"{path}:2:", r.Stderr);
            Assert.Single(r.Stderr.Trim().Split('\n'));
            Assert.DoesNotContain("   at ", r.Stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_map_without_low_memory_makes_boot_exit_2_while_meminfo_still_reports_the_firmware()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mioos-high-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "0x0 0x9fbff usable\n0x100000000 0x13fffffff usable\n");
        try
        {
            var boot = Support.Cli.Run("boot", "--memmap", path);
            Assert.Equal(2, boot.ExitCode);
            Assert.Contains("no usable low memory", boot.Stderr);
            var info = Support.Cli.Run("meminfo", "--memmap", path, "--json");
            Assert.Equal(0, info.ExitCode);
            Assert.Equal(262144ul, (ulong)info.Json["firmware"]!["usableFramesAbove4G"]!);
            Assert.Contains("no usable low memory", (string)info.Json["pmmError"]!);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_file_and_a_bad_size_exit_2()
    {
        Assert.Equal(2, Support.Cli.Run("meminfo", "--memmap", "/nonexistent/map.txt").ExitCode);
        Assert.Equal(2, Support.Cli.Run("boot", "--memory", "lots").ExitCode);
    }

    [Fact]
    public void Boot_with_the_multiboot1_loader_gives_the_same_firmware_figures()
    {
        var r = Support.Cli.Run("boot", "--multiboot", "1", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("multiboot1", (string)r.Json["bootInfo"]!["protocol"]!);
        Assert.Equal(32639ul, (ulong)r.Json["firmware"]!["usableFramesBelow4G"]!);
    }
}
