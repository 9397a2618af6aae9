using MioOS.Memory.Cli.Commands;
using MioOS.Memory.Hosting.Metal;

namespace MioOS.Memory.Tests.Metal;

/// <summary><c>mioos-mm qemu --monitor</c> for real: the kernel stays up after its verdict and QEMU's monitor
/// shows its page tables.</summary>
[Collection(MetalCollection.Name)]
public sealed class MonitorHoldTests(KernelFixture kernel)
{
    [Fact]
    public void With_mioos_hold_the_kernel_stays_up_after_its_verdict_so_the_monitor_shows_its_page_tables()
    {
        KernelBuild build = kernel.Build;
        var args = QemuCommand.Interactive(QemuRunner.Arguments(build, new QemuBootOptions()), gdb: false, monitor: true);
        args.Remove("-S");
        var psi = new System.Diagnostics.ProcessStartInfo("qemu-system-i386") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using var qemu = System.Diagnostics.Process.Start(psi)!;
        var output = new System.Text.StringBuilder();
        qemu.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        qemu.BeginOutputReadLine();
        string Seen() { lock (output) return output.ToString(); }
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Seen().Contains("holding, as asked for by mioos.hold") && DateTime.UtcNow < deadline && !qemu.HasExited)
            System.Threading.Thread.Sleep(50);
        Assert.Contains("MIOOS SELFTEST PASS", Seen());
        qemu.StandardInput.Write("\u0001c"); // Ctrl-A c: to the monitor
        qemu.StandardInput.Write("info mem\n");
        qemu.StandardInput.Flush();
        while (!Seen().Contains("00001000-") && DateTime.UtcNow < deadline)
            System.Threading.Thread.Sleep(50);
        qemu.StandardInput.Write("quit\n");
        qemu.StandardInput.Flush();
        Assert.True(qemu.WaitForExit(30_000));
        // info mem lists the kernel's identity map, starting past the unmapped NULL page.
        Assert.Matches(@"(?m)^0*1000-", Seen());
    }
}
