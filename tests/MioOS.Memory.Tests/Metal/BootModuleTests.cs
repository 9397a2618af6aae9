using System.Globalization;
using System.Text.RegularExpressions;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Metal;
using static MioOS.Memory.Tests.Metal.BootTranscript;

namespace MioOS.Memory.Tests.Metal;

/// <summary>
/// Boot modules on the real (emulated) machine, through both loaders: the kernel lists what it parsed (address,
/// size, FNV-1a of the contents, string), which must match the files the loader was given; the PMM's free
/// extents stay clear of them; and their bytes are unchanged at the end of the battery, after PMM init, paging,
/// heap init, heap growth and a scribble over the lowest free frames.
/// </summary>
[Collection(MetalCollection.Name)]
public sealed partial class BootModuleTests(KernelFixture kernel)
{
    [GeneratedRegex(@"^  module (\d+) 0x([0-9a-f]{8})-0x([0-9a-f]{8}) (\d+) bytes fnv1a 0x([0-9a-f]{8}) ""(.*)""$")]
    private static partial Regex ModuleLine();

    private sealed record Module(int Index, uint Start, uint End, int Size, uint Fnv, string Text);

    private static uint Fnv1a(byte[] bytes)
    {
        uint h = 2166136261;
        foreach (byte b in bytes)
            h = (h ^ b) * 16777619;
        return h;
    }

    private static List<Module> Modules(QemuBootResult r) =>
        r.Lines.Select(l => ModuleLine().Match(l)).Where(m => m.Success).Select(m => new Module(
            int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            uint.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            uint.Parse(m.Groups[3].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture),
            uint.Parse(m.Groups[5].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            m.Groups[6].Value)).ToList();

    /// <summary>Asserts the verdict, the module lines against the files and strings given, and the reservation tests.</summary>
    private static void AssertModules(QemuBootResult r, IReadOnlyList<string> files, IReadOnlyList<string> strings, string protocol)
    {
        Assert.True(r.Verdict == QemuVerdict.Pass, Transcript(r));
        Assert.Equal(QemuRunner.PassExitStatus, r.ExitStatus);
        Assert.Matches(@"^MIOOS SELFTEST PASS (\d+)/\1$", r.LastLine);
        Assert.DoesNotContain(r.Lines, l => l.Contains("FAIL") || l.Contains("PANIC"));
        Assert.StartsWith($"TEST boot.parse ... {protocol} ", Line(r, "boot.parse"));
        Assert.Contains($", {files.Count} modules, ", Line(r, "boot.parse"));
        Assert.Matches($@"^TEST boot\.modules \.\.\. {files.Count} modules, \d+ regions PASS$", Line(r, "boot.modules"));

        Match image = Regex.Match(r.Lines.First(l => l.StartsWith("boot: magic ", StringComparison.Ordinal)), @"image 0x[0-9a-f]{8}-0x([0-9a-f]{8})");
        Assert.True(image.Success, Transcript(r));
        uint imageEnd = uint.Parse(image.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

        List<Module> modules = Modules(r);
        Assert.Equal(files.Count, modules.Count);
        uint previousEnd = imageEnd;
        for (int i = 0; i < files.Count; i++)
        {
            byte[] bytes = File.ReadAllBytes(files[i]);
            Module m = modules[i];
            Assert.Equal(i, m.Index);
            Assert.Equal(strings[i], m.Text);
            Assert.Equal(bytes.Length, m.Size);
            Assert.Equal((uint)bytes.Length, m.End - m.Start);
            Assert.True(Fnv1a(bytes) == m.Fnv, $"module {i}: FNV-1a 0x{m.Fnv:x8} in the kernel, 0x{Fnv1a(bytes):x8} in {files[i]}");
            // Both loaders page-align the modules and load them in order after the kernel image.
            Assert.Equal(0u, m.Start & 0xFFF);
            Assert.True(m.Start >= previousEnd, $"module {i} at 0x{m.Start:x} is not after 0x{previousEnd:x}\n{Transcript(r)}");
            previousEnd = m.End;
        }

        Assert.Matches(@"^TEST pmm\.boot-regions-reserved \.\.\. \d+ free extents clear of \d+ regions PASS$", Line(r, "pmm.boot-regions-reserved"));
        // The first frame the PMM hands out lies past every module.
        Match first = Regex.Match(Line(r, "pmm.alloc-free-merge"), @"first 0x([0-9a-f]+) ");
        Assert.True(first.Success && ulong.Parse(first.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) >= previousEnd, Transcript(r));
        Assert.Matches($@"^TEST boot\.modules-intact \.\.\. {files.Count} modules and \d+ regions unchanged after 256 frames scribbled, \d+ pages mapped by EnablePaging PASS$",
            Line(r, "boot.modules-intact"));
        Assert.Matches(@"^TEST heap\.growth \.\.\. \d+ KiB in \d+ segments, 6/6 MiB, largest free run \d+ KiB before PASS$", Line(r, "heap.growth"));
    }

    [Fact]
    public void The_build_writes_the_test_modules_with_the_captures_contents()
    {
        IReadOnlyList<string> files = kernel.Build.ModuleFiles;
        Assert.Equal("module A payload 123\n"u8.ToArray(), File.ReadAllBytes(files[0]));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (byte)((7 * i + 3) & 0xff)).ToArray(), File.ReadAllBytes(files[1]));
        // The two module lines of the capture this repository keeps (data/bootinfo/mb1-256M-mods.txt) hold the same bytes.
        string capture = File.ReadAllText(Path.Combine(kernel.Build.RepositoryRoot, "data", "bootinfo", "mb1-256M-mods.txt"));
        Assert.Contains(Convert.ToHexStringLower(File.ReadAllBytes(files[0])), capture.Replace("\n", ""));
    }

    [Theory]
    [InlineData("32M", "qemu32")]
    [InlineData("256M", "coreduo")]
    [InlineData("5G", "max")]
    public void Modules_from_qemu_initrd_are_parsed_reserved_and_intact_after_paging_and_heap_growth(string memory, string cpu)
    {
        IReadOnlyList<string> files = kernel.Build.ModuleFiles;
        string[] items = [$"{files[0]} arg1", files[1]];
        QemuBootResult r = kernel.Boot(new QemuBootOptions
        {
            MemoryBytes = SizeText.Parse(memory), Cpu = cpu, Modules = items, Timeout = TimeSpan.FromSeconds(60),
        });
        // QEMU's multiboot1 loader passes the whole -initrd item, file name included, as the module string.
        AssertModules(r, files, items, "mb1");
    }

    [Theory]
    [InlineData("32M", "qemu32")]
    [InlineData("5G", "max")]
    public void Modules_from_grub_module2_are_parsed_reserved_and_intact_after_paging_and_heap_growth(string memory, string cpu)
    {
        QemuBootResult r = kernel.Boot(new QemuBootOptions
        {
            Grub = true, MemoryBytes = SizeText.Parse(memory), Cpu = cpu, Timeout = TimeSpan.FromSeconds(60),
        });
        // GRUB passes only the arguments after the file name ("" for none).
        AssertModules(r, kernel.Build.ModuleFiles, KernelBuild.GrubModuleStrings, "mb2");
    }

    [Fact]
    public void A_larger_module_spanning_several_pages_stays_intact()
    {
        string big = Path.GetTempFileName();
        try
        {
            var bytes = new byte[40_000];
            new Random(5).NextBytes(bytes);
            File.WriteAllBytes(big, bytes);
            string[] items = [big, $"{kernel.Build.ModuleFiles[0]} second"];
            QemuBootResult r = kernel.Boot(new QemuBootOptions { MemoryBytes = 64ul << 20, Modules = items });
            AssertModules(r, [big, kernel.Build.ModuleFiles[0]], items, "mb1");
        }
        finally
        {
            File.Delete(big);
        }
    }

    [Fact]
    public void Without_modules_the_module_tests_still_run()
    {
        QemuBootResult r = kernel.Boot(new QemuBootOptions { MemoryBytes = 128ul << 20 });
        Assert.True(r.Verdict == QemuVerdict.Pass, Transcript(r));
        Assert.Matches(@"^TEST boot\.modules \.\.\. 0 modules, \d+ regions PASS$", Line(r, "boot.modules"));
        Assert.Empty(Modules(r));
        Assert.Matches(@"^TEST boot\.modules-intact \.\.\. 0 modules and \d+ regions unchanged after 256 frames scribbled, \d+ pages mapped by EnablePaging PASS$",
            Line(r, "boot.modules-intact"));
    }
}
