using System.Text.RegularExpressions;
using MioOS.Memory.Hosting.Metal;
using static MioOS.Memory.Tests.Metal.BootTranscript;

namespace MioOS.Memory.Tests.Metal;

/// <summary>
/// The kernel on several CPUs that really run in parallel (multi-threaded TCG): the CPUs found from the firmware's
/// tables, the APs started, the stress battery on every CPU at once, TLB shootdowns proven by stale reads that never
/// happen (and that do when the shootdowns are dropped).
/// </summary>
[Collection(MetalCollection.Name)]
public sealed class SmpBootTests(KernelFixture kernel)
{
    /// <summary>The most CPUs the kernel brings up (kernel/Smp/Processors.cs, MaxCpus).</summary>
    private const int KernelMaxCpus = 8;

    private static QemuBootOptions Options(bool grub, int cpus, string? append = null) => new()
    {
        Grub = grub,
        MemoryBytes = 128ul << 20,
        Append = append,
        ExtraArguments = ["-smp", cpus.ToString(), "-accel", "tcg,thread=multi"],
        Timeout = TimeSpan.FromMinutes(5),
    };

    [Theory]
    [InlineData(false, 2)]
    [InlineData(false, 4)]
    [InlineData(true, 2)]
    [InlineData(true, 4)]
    public void Every_cpu_runs_the_stress_battery_and_the_verdict_counts_each_cpus_tests(bool grub, int cpus)
    {
        QemuBootResult r = kernel.Boot(Options(grub, cpus));
        Assert.True(r.Verdict == QemuVerdict.Pass, Transcript(r));
        Assert.Matches(@"^MIOOS SELFTEST PASS (\d+)/\1$", r.LastLine);
        Assert.DoesNotContain(r.Lines, l => l.Contains("FAIL") || l.Contains("PANIC"));
        Assert.Equal(r.Total, r.Lines.Count(l => l.StartsWith("TEST ", StringComparison.Ordinal)));

        Assert.Matches($@"^TEST smp\.cpus \.\.\. {cpus} CPUs \(acpi-madt, RSDP {(grub ? "mb2-acpi-(old|new)" : "bios-scan")}\), {cpus} to run; local APIC 0xfee00000 at 0x[0-9a-f]{{8}} PASS$",
            Line(r, "smp.cpus"));
        Assert.Matches($@"^TEST smp\.start-aps \.\.\. trampoline 0x[0-9a-f]+, {cpus - 1}/{cpus - 1} APs online PASS$", Line(r, "smp.start-aps"));
        for (int cpu = 0; cpu < cpus; cpu++)
        {
            Assert.Matches(@"^TEST smp\.heap\.cpu\d \.\.\. [1-9]\d* kmalloc/krealloc/kfree PASS$", Line(r, $"smp.heap.cpu{cpu}"));
            Assert.Matches(@"^TEST smp\.frames\.cpu\d \.\.\. [1-9]\d* alloc_frame/free_frame PASS$", Line(r, $"smp.frames.cpu{cpu}"));
            Assert.Matches(@"^TEST smp\.maps\.cpu\d \.\.\. [1-9]\d* map/unmap PASS$", Line(r, $"smp.maps.cpu{cpu}"));
            if (cpu > 0)
                Assert.Matches(@"^TEST smp\.shootdown\.cpu\d \.\.\. [1-9]\d* stable reads, [1-9]\d* requests answered \(\d+ spinning for a lock\) PASS$", Line(r, $"smp.shootdown.cpu{cpu}"));
        }
        Assert.DoesNotContain(r.Lines, l => l.StartsWith($"TEST smp.heap.cpu{cpus} ", StringComparison.Ordinal));
        Assert.Matches(@"^TEST smp\.integrity \.\.\. free frames (\d+) before, \1 after PASS$", Line(r, "smp.integrity"));
        Assert.Matches(@"^TEST smp\.shootdown\.remap \.\.\. [1-9]\d* shootdowns sent PASS$", Line(r, "smp.shootdown.remap"));
        // Three CPUs or more: CPU 2, spinning for a lock CPU 1 holds (interrupts off on both), answers the BSP's
        // shootdown from its spin loop, or the two would wait for each other.
        if (cpus >= 3)
            Assert.Matches(@"^TEST smp\.shootdown\.spinning \.\.\. cpu2 answered [1-9]\d* while spinning for a lock cpu1 held PASS$", Line(r, "smp.shootdown.spinning"));
        else
            Assert.DoesNotContain(r.Lines, l => l.StartsWith("TEST smp.shootdown.spinning ", StringComparison.Ordinal));
    }

    [Fact]
    public void One_cpu_runs_the_stress_battery_alone_and_has_nothing_to_shoot_down()
    {
        QemuBootResult r = kernel.Boot(Options(grub: false, cpus: 1));
        Assert.True(r.Verdict == QemuVerdict.Pass, Transcript(r));
        Assert.Matches(@"^TEST smp\.cpus \.\.\. 1 CPU \(acpi-madt, RSDP bios-scan\), 1 to run; ", Line(r, "smp.cpus"));
        Assert.EndsWith("PASS", Line(r, "smp.heap.cpu0"));
        Assert.DoesNotContain(r.Lines, l => l.StartsWith("TEST smp.heap.cpu1 ", StringComparison.Ordinal) || l.StartsWith("TEST smp.shootdown", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_shootdowns_a_reader_uses_a_stale_translation_and_the_test_says_so()
    {
        QemuBootResult r = kernel.Boot(Options(grub: false, cpus: 2, append: "mioos.test=no-shootdown"));
        Assert.Equal(QemuVerdict.Fail, r.Verdict);
        Assert.Matches(@"^TEST smp\.shootdown\.cpu1 \.\.\. \d+ stable reads, 0 requests answered \(0 spinning for a lock\) FAIL \(stale translation read 0x[0-9a-f]+\)$",
            Line(r, "smp.shootdown.cpu1"));
    }

    [Fact]
    public void Without_acpi_the_cpus_come_from_the_mp_table()
    {
        // QEMU's BIOS without ACPI still writes an MP table (it lists the boot CPU alone there).
        QemuBootResult r = kernel.Boot(Options(grub: false, cpus: 2) with { ExtraArguments = ["-smp", "2", "-accel", "tcg,thread=multi", "-machine", "acpi=off"] });
        Assert.True(r.Verdict == QemuVerdict.Pass, Transcript(r));
        Assert.Matches(@"^TEST smp\.cpus \.\.\. \d+ CPUs? \(mp-table, RSDP none\), \d+ to run; local APIC 0xfee00000 ", Line(r, "smp.cpus"));
    }

    [Fact]
    public void More_cpus_than_the_kernel_runs_are_listed_and_left_waiting()
    {
        int cpus = KernelMaxCpus + 1;
        QemuBootResult r = kernel.Boot(Options(grub: false, cpus));
        Assert.True(r.Verdict == QemuVerdict.Pass, Transcript(r));
        Assert.StartsWith($"TEST smp.cpus ... {cpus} CPUs (acpi-madt, RSDP bios-scan), {KernelMaxCpus} to run; ", Line(r, "smp.cpus"));
        Assert.Matches($@"{KernelMaxCpus - 1}/{KernelMaxCpus - 1} APs online PASS$", Line(r, "smp.start-aps"));
        Assert.EndsWith("PASS", Line(r, $"smp.maps.cpu{KernelMaxCpus - 1}"));
        Assert.DoesNotContain(r.Lines, l => Regex.IsMatch(l, $@"^TEST smp\.\w+\.cpu{KernelMaxCpus} "));
    }
}
