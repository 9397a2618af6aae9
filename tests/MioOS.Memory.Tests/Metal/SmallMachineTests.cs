using System.Text.RegularExpressions;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Metal;
using static MioOS.Memory.Tests.Metal.BootTranscript;

namespace MioOS.Memory.Tests.Metal;

/// <summary>
/// Small machines: the battery adapts to the RAM there is (the heap grows past its initial 3 MiB only as far as the
/// PMM has a free run for another segment, and says what it measured), 6 MiB is the smallest machine the kernel runs
/// on, and a smaller one is refused with one line and QEMU exit status 37, not a failed test.
/// </summary>
[Collection(MetalCollection.Name)]
public sealed class SmallMachineTests(KernelFixture kernel)
{
    private static Match Growth(QemuBootResult r)
    {
        Match m = Regex.Match(Line(r, "heap.growth"),
            @"\.\.\. (\d+) KiB in (\d+) segments, (\d)/6 MiB, largest free run (\d+) KiB before(?:, (\d+) KiB at the refusal)? PASS$");
        Assert.True(m.Success, Transcript(r));
        return m;
    }

    private static void AssertPassed(QemuBootResult r)
    {
        Assert.True(r.Verdict == QemuVerdict.Pass, Transcript(r));
        Assert.Equal(QemuRunner.PassExitStatus, r.ExitStatus);
        Assert.Matches(@"^MIOOS SELFTEST PASS (\d+)/\1$", r.LastLine);
        Assert.True(r.Total >= 37, $"only {r.Total} tests ran\n{Transcript(r)}");
        Assert.DoesNotContain(r.Lines, l => l.Contains("FAIL") || l.Contains("PANIC") || l.Contains("UNSUPPORTED"));
    }

    [Theory]
    [InlineData(false, "qemu32")]
    [InlineData(false, "max")]
    [InlineData(true, "qemu32")]
    public void The_smallest_machine_6MiB_passes_every_selftest_within_the_initial_heap(bool grub, string cpu)
    {
        QemuBootResult r = kernel.Boot(Options(grub, "6M", cpu));
        AssertPassed(r);
        Match g = Growth(r);
        // The initial 3 MiB holds two 1 MiB blocks; no free run is long enough for another segment.
        Assert.Equal("1", g.Groups[2].Value);
        Assert.Equal("2", g.Groups[3].Value);
        Assert.True(g.Groups[5].Success && int.Parse(g.Groups[5].Value) < 1024 + 12, Transcript(r));
    }

    [Theory]
    [InlineData("7M", 3)]
    [InlineData("8M", 4)]
    [InlineData("9M", 5)]
    [InlineData("10M", 6)]
    public void The_heap_grows_past_3MiB_as_far_as_free_memory_allows(string memory, int blocks)
    {
        QemuBootResult r = kernel.Boot(Options(grub: false, memory, "qemu32"));
        AssertPassed(r);
        Match g = Growth(r);
        Assert.Equal(blocks, int.Parse(g.Groups[3].Value));
        Assert.True(int.Parse(g.Groups[1].Value) > 3 * 1024 && int.Parse(g.Groups[2].Value) == blocks - 1, Transcript(r));
        Assert.True(int.Parse(g.Groups[4].Value) >= 1024 + 4, Transcript(r)); // room for a segment was measured
        // Refused only when the free run left is shorter than a segment (1 MiB, its header page, page tables).
        Assert.Equal(blocks < 6, g.Groups[5].Success);
        if (blocks < 6)
            Assert.True(int.Parse(g.Groups[5].Value) < 1024 + 12, Transcript(r));
    }

    [Theory]
    [InlineData(false, "2M", "0x1e0000")]
    [InlineData(false, "4M", "0x3e0000")]
    [InlineData(false, "5M", "0x4e0000")]
    [InlineData(true, "5M", "0x4e0000")]
    public void A_machine_below_6MiB_is_refused_with_one_line_and_exit_status_37(bool grub, string memory, string end)
    {
        QemuBootResult r = kernel.Boot(Options(grub, memory, "qemu32"));
        Assert.True(r.Verdict == QemuVerdict.Unsupported, Transcript(r));
        Assert.Equal(QemuRunner.UnsupportedExitStatus, r.ExitStatus);
        Assert.Equal($"MIOOS MEMORY UNSUPPORTED: available RAM stops at {end}; the kernel at 0x100000, its heap at 0x200000-0x500000 "
            + "and the PMM metadata after it need more (needs 6 MiB of RAM or more; QEMU: -m 6M or more)", r.LastLine);
        // Not a failed test: nothing failed before the refusal, and the PMM's tests never started.
        Assert.DoesNotContain(r.Lines, l => l.Contains("FAIL") || l.StartsWith("TEST pmm.", StringComparison.Ordinal));
        Assert.Contains(r.Lines, l => l.StartsWith("TEST boot.sanitize ... ", StringComparison.Ordinal) && l.EndsWith(" PASS", StringComparison.Ordinal));
    }

    [Fact]
    public void Mioos_mm_qemu_boots_the_smallest_machine_and_says_when_a_machine_is_too_small()
    {
        var ok = Support.Cli.Run("qemu", "-m", "6", "--no-build");
        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("mioos-mm: kernel verdict PASS", ok.Stderr);

        var small = Support.Cli.Run("qemu", "-m", "5", "--no-build");
        Assert.Equal(1, small.ExitCode);
        Assert.Contains("kernel verdict UNSUPPORTED: the kernel refused this machine (QEMU exit status 37): MIOOS MEMORY UNSUPPORTED: available RAM stops at 0x4e0000", small.Stderr);
    }
}
