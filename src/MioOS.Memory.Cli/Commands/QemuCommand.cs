using System;
using System.CommandLine;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Metal;

namespace MioOS.Memory.Cli.Commands;

/// <summary>
/// <c>mioos-mm qemu</c>: builds the bare-metal kernel if needed, boots it under qemu-system-i386 (QEMU's
/// multiboot1 loader, or GRUB 2 with multiboot2 from the ISO), streams its serial output and returns its verdict:
/// 0 when the last line is <c>MIOOS SELFTEST PASS n/n</c> and QEMU exited with status 33, 1 otherwise (a failed
/// test, a panic, a triple fault, a hang past the timeout, a machine the kernel refuses with status 37), 2 when it cannot run (no QEMU, a failed build).
/// </summary>
internal static class QemuCommand
{
    public static Command Create(Terminal t)
    {
        var grub = new Option<bool>("--grub") { Description = "boot the GRUB ISO (multiboot2) instead of qemu -kernel (multiboot1)" };
        var memory = new Option<string>("--memory", "-m")
        {
            Description = "RAM of the virtual PC, as QEMU's -m: MiB as a plain number, or with a unit (32, 128M, 5G); the kernel needs at least 6 MiB and says so",
            DefaultValueFactory = _ => "128",
            HelpName = "SIZE",
        };
        var cpu = new Option<string>("--cpu")
        {
            Description = "QEMU CPU model (-cpu): qemu32 (default), coreduo, n270, max, ...",
            DefaultValueFactory = _ => "qemu32",
            HelpName = "MODEL",
        };
        var timeout = new Option<int>("--timeout")
        {
            Description = "seconds the kernel may run before the boot counts as hung",
            DefaultValueFactory = _ => 60,
            HelpName = "S",
        };
        var append = new Option<string?>("--append") { Description = "kernel command line (with -kernel only), e.g. mioos.test=fail to check the harness", HelpName = "LINE" };
        var modules = new Option<string?>("--modules")
        {
            Description = "boot modules (with -kernel only), as QEMU's -initrd: \"FILE [ARGS],FILE [ARGS],...\"; "
                + "`test` loads the build's artifacts/kernel/modules/a.bin (with the argument arg1) and b.bin",
            HelpName = "LIST",
        };
        var noBuild = new Option<bool>("--no-build") { Description = "boot the artifacts as they are, without checking the build" };
        var gdb = new Option<bool>("--gdb") { Description = "start paused with QEMU's gdb stub on localhost:1234 and print the gdb line to attach" };
        var monitor = new Option<bool>("--monitor") { Description = "start paused with QEMU's monitor on stdio (Ctrl-A c switches between it and the serial console): info mem, info tlb, c to run" };
        var extra = new Argument<string[]>("QEMU-ARGS") { Description = "after --: more arguments for QEMU, e.g. -- -d int", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("qemu", "Build (if needed) and boot the bare-metal kernel under QEMU; exit code is its self-test verdict")
        {
            grub, memory, cpu, timeout, append, modules, noBuild, gdb, monitor, extra,
        }.With(
        [
            "mioos-mm qemu                         # QEMU -kernel (multiboot1), 128 MiB, qemu32: the self-test verdict",
            "mioos-mm qemu --grub -m 5G --cpu max  # through GRUB 2 (multiboot2), memory above 4 GiB",
            "mioos-mm qemu --modules test -m 256   # -kernel with the build's two test modules",
            "mioos-mm qemu -m 6                    # the smallest machine the kernel runs on",
            "mioos-mm qemu --gdb                   # paused; attach with the printed gdb line",
            "mioos-mm qemu --monitor               # paused; QEMU's monitor: info registers, c, info mem, info tlb",
            "mioos-mm qemu -- -d int -D qemu.log   # QEMU's own arguments after --",
        ],
        [
            "0  the kernel's last line is MIOOS SELFTEST PASS n/n and QEMU exited with status 33",
            "1  anything else: a failed self-test, a panic, a triple fault, no verdict before --timeout, a machine the kernel refuses (a CPU without SSE2, less than 6 MiB of RAM: QEMU exit status 37)",
            "2  it cannot run: bad input, no QEMU, a failed kernel build, no kernel image",
        ]);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            try
            {
                ulong memoryBytes = Numbers.MemorySize(result.GetValue(memory) ?? "128", "--memory");
                if (memoryBytes % (1ul << 20) != 0)
                    throw new UsageException($"--memory {result.GetValue(memory)}: QEMU's -m takes a whole number of MiB");
                KernelBuild build = Locate();
                if (result.GetValue(grub) && (result.GetValue(append) is not null || result.GetValue(modules) is not null))
                    throw new UsageException("--append and --modules go with QEMU -kernel; the GRUB ISO has its command line and modules in its grub.cfg");
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
                    MemoryBytes = memoryBytes,
                    Cpu = result.GetValue(cpu) ?? "qemu32",
                    Timeout = TimeSpan.FromSeconds(Math.Max(1, result.GetValue(timeout))),
                    Append = result.GetValue(append),
                    Modules = moduleItems,
                    ExtraArguments = result.GetValue(extra) ?? [],
                };
                if (!result.GetValue(noBuild) && !build.IsPrebuilt)
                    build.EnsureBuilt(line => t.Error.WriteLine($"mioos-mm: {line}"));
                string qemu = QemuRunner.FindQemu();
                if (result.GetValue(gdb) || result.GetValue(monitor))
                    return Interactive(t, qemu, Interactive(QemuRunner.Arguments(build, options), result.GetValue(gdb), result.GetValue(monitor)), result.GetValue(gdb), build);
                t.Error.WriteLine($"mioos-mm: {qemu} {string.Join(' ', QemuRunner.Arguments(build, options).Select(a => a.Contains(' ') ? $"\"{a}\"" : a))}");
                QemuBootResult boot = QemuRunner.Boot(build, options, t.Out.WriteLine);
                string why = boot.Verdict switch
                {
                    QemuVerdict.Pass => $"PASS {boot.Passed}/{boot.Total}",
                    QemuVerdict.Timeout => $"FAIL: no verdict within {options.Timeout.TotalSeconds:0} s (hung)",
                    QemuVerdict.Unsupported => $"UNSUPPORTED: the kernel refused this machine (QEMU exit status {boot.ExitStatus}): {boot.LastLine}",
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

    /// <summary>The runner's arguments made interactive: paused at start (<c>-S</c>), with the gdb stub on
    /// localhost:1234 (<c>-s</c>) and/or the monitor multiplexed with the serial console on stdio.</summary>
    public static List<string> Interactive(IReadOnlyList<string> arguments, bool gdb, bool monitor)
    {
        var list = new List<string>(arguments);
        if (monitor)
        {
            int m = list.IndexOf("-monitor");
            if (m >= 0)
                list.RemoveRange(m, 2);
            list[list.IndexOf("-serial") + 1] = "mon:stdio";
            // A -kernel boot is told to stay up after its verdict, so info mem and info tlb show its final tables.
            if (list.Contains("-kernel"))
            {
                int a = list.IndexOf("-append");
                if (a >= 0)
                    list[a + 1] += " mioos.hold";
                else
                    list.AddRange(["-append", "mioos.hold"]);
            }
        }
        list.Add("-S");
        if (gdb)
            list.Add("-s");
        return list;
    }

    private static int Interactive(Terminal t, string qemu, List<string> arguments, bool gdb, KernelBuild build)
    {
        t.Error.WriteLine($"mioos-mm: {qemu} {string.Join(' ', arguments.Select(a => a.Contains(' ') ? $"\"{a}\"" : a))}");
        if (gdb)
            t.Error.WriteLine($"mioos-mm: QEMU waits for gdb; attach with: gdb -ex 'set architecture i386' -ex 'target remote localhost:1234'   (then: break *0x{0x100000:X}, continue)");
        else
            t.Error.WriteLine("mioos-mm: QEMU is paused in its monitor: 'c' runs the kernel, 'info mem' and 'info tlb' show its paging, Ctrl-A c switches to the serial console and back, 'quit' ends");
        var psi = new System.Diagnostics.ProcessStartInfo(qemu) { UseShellExecute = false };
        foreach (string a in arguments)
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi) ?? throw new MetalEnvironmentException($"cannot start {qemu}");
        p.WaitForExit();
        t.Error.WriteLine($"mioos-mm: QEMU exit status {p.ExitCode}{(p.ExitCode == QemuRunner.PassExitStatus ? " (the kernel passed its self-tests)" : "")}");
        return p.ExitCode == QemuRunner.PassExitStatus ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>
    /// The kernel to boot: the checkout's (built when a source is newer) when run inside one, else the prebuilt kernel
    /// the installed tool carries next to itself (<c>kernel/</c>).
    /// </summary>
    private static KernelBuild Locate()
    {
        try
        {
            return KernelBuild.Locate();
        }
        catch (MetalEnvironmentException)
        {
            KernelBuild shipped = KernelBuild.Prebuilt(Path.Combine(AppContext.BaseDirectory, "kernel"));
            if (shipped.IsUpToDate())
                return shipped;
            throw new MetalEnvironmentException("no kernel to boot: this mioos-mm carries no prebuilt kernel and is not run inside a MioOS.Memory checkout (where it builds one); "
                + "run it from a checkout, or install the tool package built by `dotnet pack src/MioOS.Memory.Cli`, which carries the kernel");
        }
    }
}
