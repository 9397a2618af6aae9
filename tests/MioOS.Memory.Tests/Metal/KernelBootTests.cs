using System.Text.RegularExpressions;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Metal;
using static MioOS.Memory.Tests.Metal.BootTranscript;

namespace MioOS.Memory.Tests.Metal;

/// <summary>The kernel on the real (emulated) CPU: both loaders, several RAM sizes and CPU models.</summary>
[Collection(MetalCollection.Name)]
public sealed class KernelBootTests(KernelFixture kernel)
{
    private static void AssertPassed(QemuBootResult r)
    {
        Assert.True(r.Verdict == QemuVerdict.Pass, Transcript(r));
        Assert.Equal(QemuRunner.PassExitStatus, r.ExitStatus);
        Assert.Matches(@"^MIOOS SELFTEST PASS (\d+)/\1$", r.LastLine);
        Assert.True(r.Total >= 37, $"only {r.Total} tests ran\n{Transcript(r)}");
        Assert.DoesNotContain(r.Lines, l => l.Contains("FAIL") || l.Contains("PANIC"));
    }

    [Theory]
    [InlineData("16M", "n270")]
    [InlineData("32M", "qemu32")]
    [InlineData("128M", "coreduo")]
    [InlineData("128M", "n270")]
    [InlineData("3500M", "qemu32")]
    [InlineData("5G", "max")]
    [InlineData("5G", "qemu32")]
    public void Multiboot1_from_qemu_kernel_passes_every_selftest(string memory, string cpu)
    {
        QemuBootResult r = kernel.Boot(Options(grub: false, memory, cpu));
        AssertPassed(r);
        Assert.Contains("multiboot1", Line(r, "boot.magic"));
        Assert.StartsWith("TEST boot.parse ... mb1 ", Line(r, "boot.parse"));
    }

    [Theory]
    [InlineData("32M", "qemu32")]
    [InlineData("128M", "max")]
    [InlineData("5G", "max")]
    [InlineData("5G", "coreduo")]
    public void Multiboot2_from_grub_iso_passes_every_selftest(string memory, string cpu)
    {
        QemuBootResult r = kernel.Boot(Options(grub: true, memory, cpu));
        AssertPassed(r);
        Assert.Contains("multiboot2", Line(r, "boot.magic"));
        Assert.StartsWith("TEST boot.parse ... mb2 ", Line(r, "boot.parse"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Memory_above_4GiB_is_mapped_with_a_PSE36_page_when_the_cpu_has_it(bool grub)
    {
        QemuBootResult max = kernel.Boot(Options(grub, "5G", "max"));
        AssertPassed(max);
        Assert.Contains("pse36", Line(max, "cpu.features"));
        Assert.Matches(@"^TEST vmm\.high-pse36 \.\.\. 0x1[0-9a-f]{8} PASS$", Line(max, "vmm.high-pse36"));
        Assert.Matches(@"^TEST pmm\.high-region \.\.\. 0x1[0-9a-f]{8} PASS$", Line(max, "pmm.high-region"));

        QemuBootResult old = kernel.Boot(Options(grub, "5G", "n270"));
        AssertPassed(old);
        Assert.Contains("no-pse36", Line(old, "cpu.features"));
        Assert.Contains("no PSE-36: refused", Line(old, "vmm.high-pse36"));
    }

    [Fact]
    public void The_pmm_sees_what_qemu_gives_it()
    {
        QemuBootResult small = kernel.Boot(Options(grub: false, "32M", "qemu32"));
        QemuBootResult large = kernel.Boot(Options(grub: false, "5G", "qemu32"));
        AssertPassed(small);
        AssertPassed(large);
        Match s = Regex.Match(Line(small, "pmm.init"), @"free (\d+) low \+ (\d+) high");
        Match l = Regex.Match(Line(large, "pmm.init"), @"free (\d+) low \+ (\d+) high");
        Assert.True(s.Success && l.Success);
        // 32 MiB: under 8192 frames, nothing high. 5 GiB: 3 GiB below 4 GiB, 2 GiB (524288 frames) above.
        Assert.InRange(long.Parse(s.Groups[1].Value), 4096, 8192);
        Assert.Equal("0", s.Groups[2].Value);
        Assert.InRange(long.Parse(l.Groups[1].Value), 700_000, 786_432);
        Assert.Equal("524288", l.Groups[2].Value);
    }

    [Fact]
    public void Page_faults_are_reported_with_cr2_and_the_error_code_and_recovered()
    {
        QemuBootResult r = kernel.Boot(Options(grub: false, "128M", "qemu32"));
        AssertPassed(r);
        Assert.Equal("TEST pf.fixup ... cr2 0xe0003010 error 0x0, cr2 0xe0003ffc error 0x2 PASS", Line(r, "pf.fixup"));
        Assert.Equal("TEST pf.demand-map ... cr2 0xe010101c error 0x2 PASS", Line(r, "pf.demand-map"));
    }

    [Theory]
    [InlineData(false, "32M", "qemu32")]
    [InlineData(true, "5G", "max")]
    public void The_kernel_heap_runs_at_base_plus_1MiB_grows_past_3MiB_and_reports_misuse(bool grub, string memory, string cpu)
    {
        QemuBootResult r = kernel.Boot(Options(grub, memory, cpu));
        AssertPassed(r);
        Assert.Equal("TEST heap.init ... 0x200000+0x300000 PASS", Line(r, "heap.init"));
        Match growth = Regex.Match(Line(r, "heap.growth"), @"\.\.\. (\d+) KiB in (\d+) segments, 6/6 MiB, largest free run \d+ KiB before PASS$");
        Assert.True(growth.Success, Transcript(r));
        Assert.True(int.Parse(growth.Groups[1].Value) > 3 * 1024 && int.Parse(growth.Groups[2].Value) > 1, Transcript(r));
        Assert.Equal("TEST heap.misuse-reported ... double free reported, interior free refused PASS", Line(r, "heap.misuse-reported"));
        Assert.EndsWith("PASS", Line(r, "heap.kmalloc-kfree"));
        Assert.EndsWith("PASS", Line(r, "heap.kcalloc-krealloc"));
    }

    [Fact]
    public void Boot_modules_and_the_command_line_are_read_and_reserved()
    {
        string a = Path.GetTempFileName(), b = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(a, new byte[40000]);
            File.WriteAllText(b, "module two");
            QemuBootResult r = kernel.Boot(Options(grub: false, "64M", "qemu32") with { Append = "quiet", Modules = [a, b] });
            AssertPassed(r);
            Assert.StartsWith("TEST boot.parse ... mb1 6 entries, 2 modules, ", Line(r, "boot.parse"));
            Assert.True(r.Lines.Any(l => l.StartsWith("boot: command line \"", StringComparison.Ordinal) && l.EndsWith(" quiet\"", StringComparison.Ordinal)), Transcript(r));
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
        }
    }
}
