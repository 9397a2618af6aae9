using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Metal;
using static MioOS.Memory.Tests.Metal.BootTranscript;

namespace MioOS.Memory.Tests.Metal;

/// <summary>
/// The entry stub's CPU check: a CPU without FXSR, SSE or SSE2 is refused with one line on COM1 and QEMU exit status
/// 37 before any generated code runs (that code uses SSE2), and CPUs with them boot as before. QEMU's emulator runs
/// SSE2 code even when the CPU model does not report it (pentium3), so the CPUID bit is what decides.
/// </summary>
[Collection(MetalCollection.Name)]
public sealed class CpuCheckTests(KernelFixture kernel)
{
    private const string Needs = "(needs a Pentium 4, Pentium M, Athlon 64 or later; QEMU: -cpu qemu32 or newer)";

    private static QemuBootOptions Options(bool grub, string cpu) =>
        new() { Grub = grub, MemoryBytes = SizeText.Parse("64M"), Cpu = cpu, Timeout = TimeSpan.FromSeconds(60) };

    [Theory]
    [InlineData(false, "486", "FXSR, SSE, SSE2")]
    [InlineData(false, "pentium", "FXSR, SSE, SSE2")]
    [InlineData(false, "pentium2", "SSE, SSE2")]
    [InlineData(false, "pentium3", "SSE2")]
    [InlineData(true, "pentium3", "SSE2")]
    public void A_cpu_without_SSE2_is_refused_with_one_line_and_exit_status_37_before_any_CSharp_runs(bool grub, string cpu, string missing)
    {
        QemuBootResult r = kernel.Boot(Options(grub, cpu));
        Assert.True(r.Verdict == QemuVerdict.Unsupported, Transcript(r));
        Assert.Equal(QemuRunner.UnsupportedExitStatus, r.ExitStatus);
        Assert.Equal($"MIOOS CPU UNSUPPORTED: no {missing} {Needs}", r.LastLine);
        // Nothing else: no banner, no test (the C# code never ran).
        Assert.Equal([r.LastLine], r.Lines.Where(l => l.Length > 0));
    }

    [Fact]
    public void A_cpuid_without_leaf_1_reports_every_feature_missing()
    {
        QemuBootResult r = kernel.Boot(Options(grub: false, "486,level=0"));
        Assert.True(r.Verdict == QemuVerdict.Unsupported, Transcript(r));
        Assert.Equal($"MIOOS CPU UNSUPPORTED: no FXSR, SSE, SSE2 {Needs}", r.LastLine);
    }

    [Theory]
    [InlineData(false, "qemu32")]
    [InlineData(false, "max")]
    [InlineData(true, "qemu32")]
    [InlineData(true, "max")]
    public void A_cpu_with_SSE2_passes_the_check_and_every_selftest(bool grub, string cpu)
    {
        QemuBootResult r = kernel.Boot(Options(grub, cpu));
        Assert.True(r.Verdict == QemuVerdict.Pass, Transcript(r));
        Assert.Equal(QemuRunner.PassExitStatus, r.ExitStatus);
        Assert.DoesNotContain(r.Lines, l => l.Contains("UNSUPPORTED"));
        Assert.Contains(r.Lines, l => l.StartsWith("TEST runtime.static-constructors ... ", StringComparison.Ordinal) && l.EndsWith(" PASS", StringComparison.Ordinal));
    }

    [Fact]
    public void Mioos_mm_qemu_says_the_machine_was_refused_and_exits_1()
    {
        var r = Support.Cli.Run("qemu", "--cpu", "pentium3", "-m", "64", "--no-build");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"MIOOS CPU UNSUPPORTED: no SSE2 {Needs}", r.Stdout);
        Assert.Contains("mioos-mm: kernel verdict UNSUPPORTED: the kernel refused this machine (QEMU exit status 37): MIOOS CPU UNSUPPORTED: no SSE2", r.Stderr);
    }
}
