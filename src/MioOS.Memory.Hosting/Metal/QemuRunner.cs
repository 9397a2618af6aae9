using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;

namespace MioOS.Memory.Hosting.Metal;

/// <summary>How to boot the kernel under QEMU.</summary>
public sealed record QemuBootOptions
{
    /// <summary>Boot the GRUB ISO (multiboot2) instead of <c>-kernel</c> (multiboot1).</summary>
    public bool Grub { get; init; }

    /// <summary>RAM in bytes (QEMU <c>-m</c>, whole MiB, at least 2), default 128 MiB; the kernel refuses less than 6 MiB.</summary>
    public ulong MemoryBytes { get; init; } = 128ul << 20;

    /// <summary>QEMU CPU model (<c>-cpu</c>): qemu32 (QEMU's default), coreduo, n270, max, ...</summary>
    public string Cpu { get; init; } = "qemu32";

    /// <summary>Kernel command line (QEMU <c>-append</c>; only with <c>-kernel</c>, GRUB's line is fixed in the ISO).</summary>
    public string? Append { get; init; }

    /// <summary>
    /// Multiboot modules for QEMU's loader (<c>-initrd "a.bin arg1,b.bin"</c>; only with <c>-kernel</c>, the ISO's
    /// modules are fixed in its grub.cfg): each item is a file name, optionally followed by a space and arguments,
    /// and the whole item becomes the module's string. Items must not contain commas.
    /// </summary>
    public IReadOnlyList<string> Modules { get; init; } = [];

    /// <summary>More arguments for QEMU, added after the ones the runner chooses (e.g. <c>-d int</c>).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>How long the kernel may run before the boot counts as hung.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>What a boot ended with.</summary>
public enum QemuVerdict
{
    /// <summary>The last serial line is <c>MIOOS SELFTEST PASS n/n</c> and QEMU exited with status 33 (0x10 to isa-debug-exit).</summary>
    Pass,

    /// <summary>The kernel reported a failure (a FAIL line, a panic: status 35) or exited in any other way (a triple fault ends QEMU with status 0).</summary>
    Fail,

    /// <summary>The kernel did not finish within the timeout.</summary>
    Timeout,

    /// <summary>
    /// The machine cannot run the kernel, and the kernel said so: its last line is <c>MIOOS ... UNSUPPORTED: why</c>
    /// (e.g. <c>MIOOS CPU UNSUPPORTED: no SSE2 (...)</c>) and QEMU exited with status 37 (0x12 to isa-debug-exit).
    /// </summary>
    Unsupported,
}

/// <summary>The outcome of one boot.</summary>
public sealed record QemuBootResult(QemuVerdict Verdict, int ExitStatus, IReadOnlyList<string> Lines, int Passed, int Total, TimeSpan Elapsed)
{
    /// <summary>The last serial line, or "" when the kernel printed nothing.</summary>
    public string LastLine => Lines.Count > 0 ? Lines[^1] : "";
}

/// <summary>Boots the kernel under <c>qemu-system-i386</c>, streams its serial output and judges the run.</summary>
public static partial class QemuRunner
{
    /// <summary>QEMU's exit status when the kernel wrote 0x10 to isa-debug-exit: (0x10 &lt;&lt; 1) | 1.</summary>
    public const int PassExitStatus = 33;

    /// <summary>QEMU's exit status when the kernel wrote 0x11 (a failed self-test, a panic).</summary>
    public const int FailExitStatus = 35;

    /// <summary>QEMU's exit status when the kernel wrote 0x12: the machine cannot run it (the last line says why).</summary>
    public const int UnsupportedExitStatus = 37;

    /// <summary>The executable.</summary>
    public const string Qemu = "qemu-system-i386";

    [GeneratedRegex(@"^MIOOS SELFTEST (PASS|FAIL) (\d+)/(\d+)$")]
    private static partial Regex VerdictLine();

    [GeneratedRegex(@"^MIOOS [A-Z]+ UNSUPPORTED: .+$")]
    private static partial Regex UnsupportedLine();

    /// <summary>The full path of qemu-system-i386, or a clear error when it is not installed.</summary>
    public static string FindQemu()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0)
                continue;
            string candidate = Path.Combine(dir, Qemu);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new MetalEnvironmentException(
            $"{Qemu} is not installed (on Debian: apt-get install --no-install-recommends qemu-system-x86; the GRUB ISO also needs grub-pc-bin grub-common xorriso mtools)");
    }

    /// <summary>The QEMU command-line arguments for a boot of <paramref name="build"/>'s artifacts.</summary>
    public static IReadOnlyList<string> Arguments(KernelBuild build, QemuBootOptions options) =>
        Arguments(build.Image, build.Iso, options);

    /// <summary>The QEMU command-line arguments for a boot of <paramref name="image"/> (multiboot, <c>-kernel</c>) or
    /// <paramref name="iso"/> (GRUB, <c>-cdrom</c>), whichever <see cref="QemuBootOptions.Grub"/> picks.</summary>
    public static IReadOnlyList<string> Arguments(string image, string iso, QemuBootOptions options) =>
    [
        "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        "-m", $"{options.MemoryBytes >> 20}M", "-cpu", options.Cpu,
        options.Grub ? "-cdrom" : "-kernel", options.Grub ? iso : image,
        .. (options.Append is not null ? new[] { "-append", options.Append } : []),
        .. (options.Modules.Count > 0 ? new[] { "-initrd", string.Join(',', options.Modules) } : []),
        .. options.ExtraArguments,
    ];

    /// <summary>Boots once; every serial line goes to <paramref name="onLine"/> as it arrives.</summary>
    public static QemuBootResult Boot(KernelBuild build, QemuBootOptions options, Action<string>? onLine = null) =>
        Boot(build.Image, build.Iso, options, onLine);

    /// <summary>Boots <paramref name="image"/> (<c>-kernel</c>) or <paramref name="iso"/> (GRUB) once, judged like the
    /// kernel (any kernel that prints the same verdict line and uses isa-debug-exit, e.g. the C sample kernel).</summary>
    public static QemuBootResult Boot(string image, string iso, QemuBootOptions options, Action<string>? onLine = null)
    {
        if (options.Grub && (options.Append is not null || options.Modules.Count > 0))
            throw new ArgumentException("a kernel command line and modules can only be given with -kernel, not with the GRUB ISO");
        if (options.MemoryBytes < 2ul << 20 || (options.MemoryBytes & ((1ul << 20) - 1)) != 0)
            throw new ArgumentException($"memory {options.MemoryBytes} bytes: give a whole number of MiB, at least 2M (QEMU's PC; the kernel refuses less than 6M itself)");
        var psi = new ProcessStartInfo(FindQemu())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in Arguments(image, iso, options))
            psi.ArgumentList.Add(a);
        var lines = new List<string>();
        var errors = new List<string>();
        var clock = Stopwatch.StartNew();
        using Process p = Process.Start(psi) ?? throw new MetalEnvironmentException($"cannot start {Qemu}");
        p.StandardInput.Close();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            string line = e.Data.TrimEnd('\r');
            lock (lines)
                lines.Add(line);
            onLine?.Invoke(line);
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.Add(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        bool exited = p.WaitForExit(options.Timeout);
        if (!exited)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        else
        {
            p.WaitForExit(); // drains the output handlers
        }
        clock.Stop();
        foreach (string e in errors)
            onLine?.Invoke($"qemu: {e}");
        // The kernel's own first line is preceded by an empty line; keep everything it printed.
        int status = exited ? p.ExitCode : -1;
        int passed = 0, total = 0;
        string last = lines.Count > 0 ? lines[^1] : "";
        Match m = VerdictLine().Match(last);
        if (m.Success)
        {
            passed = int.Parse(m.Groups[2].Value);
            total = int.Parse(m.Groups[3].Value);
        }
        QemuVerdict verdict = !exited ? QemuVerdict.Timeout
            : status == PassExitStatus && m.Success && m.Groups[1].Value == "PASS" && passed == total && total > 0
                ? QemuVerdict.Pass
            : status == UnsupportedExitStatus && UnsupportedLine().IsMatch(last)
                ? QemuVerdict.Unsupported
                : QemuVerdict.Fail;
        return new QemuBootResult(verdict, status, lines, passed, total, clock.Elapsed);
    }
}
