using System.CommandLine;
using System.IO;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Pictures;

namespace MioOS.Memory.Cli.Commands;

/// <summary><c>mioos-mm map</c>: an SVG picture of physical memory after boot.</summary>
internal static class MapCommand
{
    public static Command Create(Terminal t)
    {
        var machine = new MachineOptions(json: false);
        var paging = new PagingOptions();
        var output = new Option<FileInfo>("--out", "-o") { Description = "where to write the SVG", Required = true, HelpName = "FILE" };
        var command = new Command("map", "Draw physical memory (map ranges, free, allocated, reserved) as an SVG picture").With(
        [
            "mioos-mm map -o map.svg            # the default machine; open map.svg in a browser",
            "mioos-mm map -m 5G -o map.svg      # memory above 4 GiB, the PCI hole below it",
            "mioos-mm map --memmap data/memmaps/12-supermicro-h13dsg-epyc-1.5tib.txt -o epyc.svg",
        ]);
        machine.AddTo(command);
        paging.AddTo(command);
        command.Add(output);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            using KernelMachine kernel = KernelMachine.Boot(machine.Resolve(result), paging.Resolve(result));
            SimulatedPc pc = kernel.Pc;
            FileInfo file = result.GetValue(output)!;
            File.WriteAllText(file.FullName, PhysicalMapSvg.Render(pc));
            t.Line($"wrote {file} ({pc.Map.Count} ranges)");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
