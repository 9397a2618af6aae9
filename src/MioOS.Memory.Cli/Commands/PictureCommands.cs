using System.CommandLine;
using System.IO;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Traces;
using MioOS.Memory.Hosting.Pictures;

namespace MioOS.Memory.Cli.Commands;

/// <summary><c>mioos-mm heapmap</c> and <c>mioos-mm pagetables</c>: SVG pictures of the heap and of the page tables after boot.</summary>
internal static class PictureCommands
{
    private static Option<FileInfo> Out() => new("--out", "-o") { Description = "where to write the SVG", Required = true, HelpName = "FILE" };

    public static Command Heapmap(Terminal t)
    {
        var machine = new MachineOptions(json: false);
        var paging = new PagingOptions();
        var trace = new HeapinfoCommand.TraceOptions();
        var output = Out();
        var next = new Option<string?>("--next") { Description = "mark the free block a kmalloc of this many bytes would take (first fit)", HelpName = "SIZE" };
        var command = new Command("heapmap", "Draw the kernel heap as an SVG picture: segments, used and free blocks in address order, where the next kmalloc goes, fragmentation").With(
        [
            "mioos-mm heapmap -o heap.svg --next 64",
            "mioos-mm heapmap -o heap.svg --trace data/traces/gcc-cc1-O2.trace.gz --events 20000 --next 4096",
            "echo 'kmalloc 100' ... | mioos-mm shell     # or draw it from a shell script: heapmap heap.svg 64",
        ]);
        command.Add(output);
        command.Add(next);
        trace.AddTo(command);
        machine.AddTo(command);
        paging.AddTo(command);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            trace.Validate(result);
            uint size = result.GetValue(next) is string s ? (uint)Numbers.Parse(s, "--next", uint.MaxValue) : 0;
            using KernelMachine kernel = TraceReplayer.BootMachine(machine.Resolve(result), paging.Resolve(result));
            if (!trace.Replay(result, t, kernel.Heap))
                return ExitCodes.Failed;
            FileInfo file = result.GetValue(output)!;
            string title = kernel.Pc.Config.Description + (result.GetValue(trace.Trace) is FileInfo f ? $", after {(result.GetValue(trace.Events) is long n and > 0 ? $"{n:N0} events of " : "")}{f.Name}" : "");
            File.WriteAllText(file.FullName, HeapMapSvg.Render(kernel.Heap, size, title));
            t.Line($"wrote {file}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Pagetables(Terminal t)
    {
        var machine = new MachineOptions(json: false);
        var paging = new PagingOptions();
        var output = Out();
        var slot = new Option<string?>("--table") { Description = "also draw the 1024 entries of the page table in this directory slot (0-1023)", HelpName = "SLOT" };
        var command = new Command("pagetables", "Draw the page directory (1024 slots) and, on request, one page table's entries as an SVG picture, flags as colours").With(
        [
            "mioos-mm pagetables -o pt.svg --table 0       # the directory and the table of the first 4 MiB",
            "mioos-mm pagetables -m 5G --cpu max -o pt.svg # the PMM metadata in 4 MiB pages",
        ]);
        command.Add(output);
        command.Add(slot);
        machine.AddTo(command);
        paging.AddTo(command);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            uint? table = result.GetValue(slot) is string s ? (uint)Numbers.Parse(s, "--table", 1023) : null;
            using KernelMachine kernel = KernelMachine.Boot(machine.Resolve(result), paging.Resolve(result));
            FileInfo file = result.GetValue(output)!;
            File.WriteAllText(file.FullName, PageTablesSvg.Render(kernel.Paging, table));
            t.Line($"wrote {file}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
