using System.Text.RegularExpressions;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Metal;
using MioOS.Memory.Tests.Metal;
using static MioOS.Memory.Tests.Metal.BootTranscript;

namespace MioOS.Memory.Tests.CLib;

/// <summary>The sample C kernel (samples/c-kernel), linked against libmioos_memory.a only, on the real (emulated)
/// CPU: both loaders, 128 MiB and memory above 4 GiB. It calls every function of the header.</summary>
[Collection(MetalCollection.Name)]
public sealed class SampleKernelBootTests(CLibFixture lib) : IClassFixture<CLibFixture>
{
    /// <summary>What the sample runs when the CPU has SSE2 (the count is checked so that a test that silently
    /// stopped running shows).</summary>
    private const int FullRun = 31;

    private static void AssertPassed(QemuBootResult r, int tests)
    {
        Assert.True(r.Verdict == QemuVerdict.Pass, Transcript(r));
        Assert.Equal(QemuRunner.PassExitStatus, r.ExitStatus);
        Assert.Equal($"MIOOS SELFTEST PASS {tests}/{tests}", r.LastLine);
        Assert.DoesNotContain(r.Lines, l => l.Contains("FAIL") || l.Contains("fatal"));
        Assert.All(r.Lines.Where(l => l.StartsWith("TEST ", StringComparison.Ordinal)), l => Assert.EndsWith(" PASS", l));
    }

    [Theory]
    [InlineData(false, "128M", "qemu32")]
    [InlineData(false, "5G", "max")]
    [InlineData(true, "128M", "qemu32")]
    [InlineData(true, "5G", "max")]
    public void Every_header_function_behaves_on_the_metal(bool grub, string memory, string cpu)
    {
        QemuBootResult r = lib.Boot(Options(grub, memory, cpu));
        AssertPassed(r, FullRun);
        Assert.Contains(grub ? "multiboot2" : "multiboot1", Line(r, "boot.magic"));
        Assert.Contains("MM_OK", Line(r, "init.bring-up"));
        Assert.True(r.Lines.Any(l => l.StartsWith($"  log: mioos: mm_init: {(grub ? "multiboot2" : "multiboot1")}, ", StringComparison.Ordinal)),
            Transcript(r));
        Assert.Matches(@"\.\.\. \d+ KiB in \d+ segments PASS$", Line(r, "heap.growth"));
        Assert.Equal("TEST heap.misuse ... 4 refused, counted and logged PASS", Line(r, "heap.misuse"));
        Assert.Contains(r.Lines, l => l == "  log: mioos: kfree(0x1000) refused: MM_E_NOT_ALLOCATED (heap misuse count 4)");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Memory_above_4GiB_is_reached_through_a_PSE36_page_and_refused_without_PSE36(bool grub)
    {
        QemuBootResult max = lib.Boot(Options(grub, "5G", "max"));
        AssertPassed(max, FullRun);
        Assert.Matches(@"^TEST vmm\.high-4mib \.\.\. MM_OK maxphys (3[6-9]|40) high memory written and read PASS$", Line(max, "vmm.high-4mib"));
        Match free = Regex.Match(Line(max, "stats.meminfo"), @"free (\d+) low \+ (\d+) high");
        Assert.True(free.Success && long.Parse(free.Groups[2].Value) > 0, Transcript(max));

        QemuBootResult old = lib.Boot(Options(grub, "5G", "qemu32"));
        AssertPassed(old, FullRun);
        Assert.Equal("TEST vmm.high-4mib ... MM_E_PHYS_TOO_HIGH maxphys 32 PASS", Line(old, "vmm.high-4mib"));
    }

    [Theory]
    [InlineData("pentium")]
    [InlineData("pentium2")]
    [InlineData("pentium3")] // SSE without SSE2: refused although QEMU's emulator would run SSE2 code
    public void A_cpu_without_SSE2_gets_MM_E_CPU_UNSUPPORTED_and_no_library_code_runs(string cpu)
    {
        QemuBootResult r = lib.Boot(Options(grub: false, "64M", cpu));
        AssertPassed(r, 3);
        Assert.Equal("TEST cpu.sse2 ... absent PASS", Line(r, "cpu.sse2"));
        Assert.Equal("TEST cpu.refused-without-sse2 ... PASS", Line(r, "cpu.refused-without-sse2"));
    }

    [Fact]
    public void A_failing_sample_test_is_reported_as_a_failure()
    {
        QemuBootResult r = lib.Boot(Options(grub: false, "128M", "qemu32") with { Append = "selftest.fail" });
        Assert.Equal(QemuVerdict.Fail, r.Verdict);
        Assert.Equal(35, r.ExitStatus);
        Assert.Equal($"MIOOS SELFTEST FAIL {FullRun}/{FullRun + 1}", r.LastLine);
        Assert.Equal("TEST harness.fails-on-purpose ... FAIL (asked for by selftest.fail)", Line(r, "harness.fails-on-purpose"));
    }

    [Fact]
    public void Mm_init_needs_less_stack_than_the_header_documents()
    {
        QemuBootResult r = lib.Boot(Options(grub: false, "128M", "qemu32"));
        AssertPassed(r, FullRun);
        Match m = Regex.Match(Line(r, "init.stack"), @"mm_init used (\d+) bytes");
        Assert.True(m.Success, Transcript(r));
        Assert.InRange(int.Parse(m.Groups[1].Value), 1, 24 * 1024);
        Assert.Contains("Stack: 24 KiB for mm_init", File.ReadAllText(lib.Build.Header));
    }
}
