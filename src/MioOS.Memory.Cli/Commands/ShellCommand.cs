using System.CommandLine;
using System.Globalization;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Cli.Reports;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Cli.Commands;

/// <summary>
/// <c>mioos-mm shell</c>: a booted machine to poke at, one command per line, from a terminal (with a prompt) or
/// a script on standard input. Each command answers on one line; <c>check</c> walks every layer's invariants.
/// </summary>
internal static class ShellCommand
{
    private const string Help = """
        commands (numbers: decimal, 0x hex, or with K/M/G):
          kmalloc SIZE | kcalloc N SIZE | krealloc PTR SIZE | kmalloc_aligned SIZE ALIGN | kfree PTR
          alloc_frame N [identity] | alloc_high N [ALIGN] | free_frame ADDR
          map VIRT PHYS [4m] | unmap VIRT | translate VIRT
          meminfo | heapinfo | check | help | quit
        """;

    public static Command Create(Terminal t)
    {
        var machine = new MachineOptions();
        var paging = new PagingOptions();
        var command = new Command("shell", "Boot a simulated PC and run memory commands typed or piped in (kmalloc, alloc_frame, map, check, ...)");
        machine.AddTo(command);
        paging.AddTo(command);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            using KernelMachine kernel = KernelMachine.Boot(machine.Resolve(result), paging.Resolve(result));
            bool interactive = t.InputIsInteractive;
            if (interactive)
                    t.Out.WriteLine($"MioOS.Memory shell on {kernel.Pc.Config.Description}; 'help' lists the commands.");
            int exit = ExitCodes.Ok;
            for (int lineNo = 1; ; lineNo++)
            {
                if (interactive)
                    t.Out.Write("mioos> ");
                string? line = t.In.ReadLine();
                if (line is null)
                    break;
                string[] words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (words.Length == 0 || words[0].StartsWith('#'))
                    continue;
                if (words[0] is "quit" or "exit")
                    break;
                try
                {
                    (string answer, bool ok) = Execute(kernel, words);
                    t.Out.WriteLine(answer);
                    if (!ok && exit == ExitCodes.Ok)
                        exit = ExitCodes.Failed;
                }
                catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException)
                {
                    t.Error.WriteLine($"mioos-mm: shell line {lineNo}: {e.Message}");
                    exit = ExitCodes.BadInput;
                }
            }
            return exit;
        }));
        return command;
    }

    private static (string Answer, bool Ok) Execute(KernelMachine k, string[] w)
    {
        PhysicalMemoryManager pmm = k.Paging.Pmm;
        var vmm = k.Paging.Vmm;
        var heap = k.Heap;
        switch (w[0])
        {
            case "help":
                return (Help.TrimEnd(), true);
            case "kmalloc":
                return Pointer("kmalloc", heap.Kmalloc(U32(w, 1), out HeapStatus s1), s1);
            case "kcalloc":
                return Pointer("kcalloc", heap.Kcalloc(U32(w, 1), U32(w, 2), out HeapStatus s2), s2);
            case "krealloc":
                return Pointer("krealloc", heap.Krealloc(U32(w, 1), U32(w, 2), out HeapStatus s3), s3);
            case "kmalloc_aligned":
                return Pointer("kmalloc_aligned", heap.KmallocAligned(U32(w, 1), U32(w, 2), out HeapStatus s4), s4);
            case "kfree":
                HeapStatus f = heap.Kfree(U32(w, 1));
                return ($"kfree {Fmt.Hex(U32(w, 1))}: {f}", f == HeapStatus.Ok);
            case "alloc_frame":
            {
                var mapper = k.Paging.Mapper();
                bool identity = w.Length > 2 && w[2] == "identity";
                PmmStatus st = pmm.AllocFrame(U32(w, 1), identity, ref mapper, out PhysicalAddress a);
                return (st == PmmStatus.Ok ? $"{Fmt.Hex(a.Value)} ({U32(w, 1)} frames{(identity ? ", identity-mapped" : "")})" : $"alloc_frame: {st}", st == PmmStatus.Ok);
            }
            case "alloc_high":
            {
                PmmStatus st = pmm.AllocFrames(U32(w, 1), FrameRegion.High, w.Length > 2 ? U32(w, 2) : 1, out PhysicalAddress a);
                return (st == PmmStatus.Ok ? $"{Fmt.Hex(a.Value)} ({U32(w, 1)} high frames)" : $"alloc_high: {st}", st == PmmStatus.Ok);
            }
            case "free_frame":
            {
                var mapper = k.Paging.Mapper();
                PmmStatus st = pmm.FreeFrame(new PhysicalAddress(U64(w, 1)), ref mapper);
                return ($"free_frame {Fmt.Hex(U64(w, 1))}: {st}", st == PmmStatus.Ok);
            }
            case "map":
            {
                var flags = PageFlags.Present | PageFlags.Writable;
                bool large = w.Length > 3 && w[3].Equals("4m", StringComparison.OrdinalIgnoreCase);
                VmmStatus st = large
                    ? vmm.AllocPage4MiB(new VirtualAddress(U32(w, 1)), new PhysicalAddress(U64(w, 2)), flags)
                    : vmm.AllocPage(new VirtualAddress(U32(w, 1)), new PhysicalAddress(U64(w, 2)), flags);
                return ($"map {Fmt.Hex(U32(w, 1))} -> {Fmt.Hex(U64(w, 2))}{(large ? " (4 MiB)" : "")}: {st}", st == VmmStatus.Ok);
            }
            case "unmap":
            {
                VmmStatus st = vmm.FreePage(new VirtualAddress(U32(w, 1)));
                return ($"unmap {Fmt.Hex(U32(w, 1))}: {st}", st == VmmStatus.Ok);
            }
            case "translate":
            {
                VmmStatus st = vmm.VirtualToPhysical(new VirtualAddress(U32(w, 1)), out PhysicalAddress p);
                return (st == VmmStatus.Ok ? $"{Fmt.Hex(U32(w, 1))} -> {Fmt.Hex(p.Value)}" : $"{Fmt.Hex(U32(w, 1))}: {st}", true);
            }
            case "meminfo":
            {
                PmmStats s = pmm.Stats;
                ulong usable = s.UsableFramesLow + s.UsableFramesHigh;
                return ($"usable {Fmt.Frames(usable)}, used {s.UsedFrames:N0}, free low {s.FreeFramesLow:N0} / high {s.FreeFramesHigh:N0}, {s.FreeExtents} free extents", true);
            }
            case "heapinfo":
            {
                HeapStats s = heap.Stats();
                return ($"heap {Fmt.Hex(s.Start)} +{Fmt.Bytes(s.SizeBytes)}: used {s.UsedBytes:N0} in {s.Blocks} blocks, free {s.FreeBytes:N0} in {s.FreeBlocks}, largest {s.LargestFree:N0}, {s.Segments} segment(s)", true);
            }
            case "check":
            {
                PmmIntegrity p = pmm.CheckIntegrity();
                HeapCheck h = heap.CheckIntegrity();
                bool ok = p.IsOk && h.IsOk;
                return ($"integrity: pmm {MachineReport.Integrity(p)}, heap {(h.IsOk ? "ok" : $"{h.Status} at {Fmt.Hex(h.Address)}")}", ok);
            }
            default:
                throw new FormatException($"unknown command '{w[0]}' (try 'help')");
        }
    }

    private static (string, bool) Pointer(string what, uint pointer, HeapStatus status) =>
        pointer != 0 ? (Fmt.Hex(pointer), true) : ($"{what}: null ({status})", status == HeapStatus.Ok);

    private static ulong U64(string[] w, int i)
    {
        if (i >= w.Length)
            throw new ArgumentException($"'{w[0]}' needs more arguments (try 'help')");
        string s = w[i];
        return s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.Parse(s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : s == "0" ? 0 : SizeText.Parse(s);
    }

    private static uint U32(string[] w, int i) => checked((uint)U64(w, i));
}
