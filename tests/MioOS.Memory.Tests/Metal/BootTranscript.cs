using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Metal;

namespace MioOS.Memory.Tests.Metal;

/// <summary>What every QEMU boot test reads from a boot: its options, its transcript for a failure message, and
/// the one line of a named self-test.</summary>
internal static class BootTranscript
{
    /// <summary>A boot of <paramref name="memory"/> (e.g. <c>128M</c>) on <paramref name="cpu"/>, by GRUB or
    /// <c>-kernel</c>, with the suite's 60 s timeout.</summary>
    public static QemuBootOptions Options(bool grub, string memory, string cpu) =>
        new() { Grub = grub, MemoryBytes = SizeText.Parse(memory), Cpu = cpu, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The verdict, QEMU's exit status and the serial output, for an assertion's message.</summary>
    public static string Transcript(QemuBootResult r) =>
        $"verdict {r.Verdict}, QEMU exit status {r.ExitStatus}, serial output:\n{string.Join('\n', r.Lines)}";

    /// <summary>The one <c>TEST name ... </c> line of <paramref name="test"/> (fails unless there is exactly one).</summary>
    public static string Line(QemuBootResult r, string test) =>
        Assert.Single(r.Lines, l => l.StartsWith($"TEST {test} ... ", StringComparison.Ordinal));
}
