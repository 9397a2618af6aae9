using System;
using System.CommandLine;
using System.Linq;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Metal;

namespace MioOS.Memory.Cli.Commands;

/// <summary>
/// <c>mioos-mm qemu</c>: builds the bare-metal kernel if needed, boots it under qemu-system-i386 (QEMU's
/// multiboot1 loader, or GRUB 2 with multiboot2 from the ISO), streams its serial output and returns its verdict:
/// 0 when the last line is <c>MIOOS SELFTEST PASS n/n</c> and QEMU exited with status 33, 1 otherwise (a failed
/// test, a panic, a triple fault, a hang past the timeout), 2 when it cannot run (no QEMU, a failed build).
/// </summary>
internal static class QemuCommand
{
    public static Command Create(Terminal t)
    {
        var grub = new Option<bool>("--grub") { Description = "boot the GRUB ISO (multiboot2) instead of qemu -kernel (multiboot1)" };
        var memory = new Option<string>("--memory", "-m")
        {
            Description = "RAM of the virtual PC, as QEMU's -m (e.g. 32M, 128M, 5G)",
            DefaultValueFactory = _ => "128M",
        };
        var cpu = new Option<string>("--cpu")
        {
            Description = "QEMU CPU model: qemu32 (default), coreduo, n270, max, ...",
            DefaultValueFactory = _ => "qemu32",
        };
        var timeout = new Option<int>("--timeout")
        {
            Description = "seconds the kernel may run before the boot counts as hung",
            DefaultValueFactory = _ => 60,
        };
        var append = new Option<string?>("--append") { Description = "kernel command line (with -kernel only), e.g. mioos.test=fail to check the harness" };
        var modules = new Option<string?>("--modules")
        {
            Description = "boot modules (with -kernel only), as QEMU's -initrd: \"FILE [ARGS],FILE [ARGS],...\"; "
                + "`test` loads the build's artifacts/kernel/modules/a.bin (with the argument arg1) and b.bin",
        };
        var noBuild = new Option<bool>("--no-build") { Description = "boot the artifacts as they are, without checking the build" };
        var command = new Command("qemu", "Build (if needed) and boot the bare-metal kernel under QEMU; exit code is its self-test verdict")
        {
            grub, memory, cpu, timeout, append, modules, noBuild,
        };
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            try
            {
                KernelBuild build = KernelBuild.Locate();
                string? moduleList = result.GetValue(modules);
                string[] moduleItems = moduleList switch
                {
                    null or "" => [],
                    "test" => [$"{build.ModuleFiles[0]} arg1", build.ModuleFiles[1]],
                    _ => moduleList.Split(','),
                };
                var options = new QemuBootOptions
                {
                    Grub = result.GetValue(grub),
                    MemoryBytes = SizeText.Parse(result.GetValue(memory) ?? "128M"),
                    Cpu = result.GetValue(cpu) ?? "qemu32",
                    Timeout = TimeSpan.FromSeconds(Math.Max(1, result.GetValue(timeout))),
                    Append = result.GetValue(append),
                    Modules = moduleItems,
                };
                if (!result.GetValue(noBuild))
                    build.EnsureBuilt(line => t.Error.WriteLine($"mioos-mm: {line}"));
                string qemu = QemuRunner.FindQemu();
                t.Error.WriteLine($"mioos-mm: {qemu} {string.Join(' ', QemuRunner.Arguments(build, options).Select(a => a.Contains(' ') ? $"\"{a}\"" : a))}");
                QemuBootResult boot = QemuRunner.Boot(build, options, t.Out.WriteLine);
                string why = boot.Verdict switch
                {
                    QemuVerdict.Pass => $"PASS {boot.Passed}/{boot.Total}",
                    QemuVerdict.Timeout => $"FAIL: no verdict within {options.Timeout.TotalSeconds:0} s (hung)",
                    _ when boot.ExitStatus == 0 => "FAIL: QEMU ended without the kernel's exit (a triple fault resets the CPU, and -no-reboot ends QEMU)",
                    _ => $"FAIL: QEMU exit status {boot.ExitStatus}, last line \"{boot.LastLine}\"",
                };
                t.Error.WriteLine($"mioos-mm: kernel verdict {why} ({boot.Elapsed.TotalSeconds:0.00} s)");
                return boot.Verdict == QemuVerdict.Pass ? ExitCodes.Ok : ExitCodes.Failed;
            }
            catch (MetalEnvironmentException e)
            {
                t.Fail(e.Message);
                return ExitCodes.BadInput;
            }
        }));
        return command;
    }
}
