using System.CommandLine;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Pictures;

namespace MioOS.Memory.Cli.Commands;

/// <summary><c>mioos-mm map</c>: an SVG picture of physical memory after boot.</summary>
internal static class MapCommand
{
    public static Command Create()
    {
        var machine = new MachineOptions();
        var output = new Option<FileInfo>("--out", "-o") { Description = "where to write the SVG", Required = true };
        var command = new Command("map", "Draw physical memory (map ranges, free, allocated, reserved) as an SVG picture");
        machine.AddTo(command);
        command.Add(output);
        command.SetAction(result => CommandRunner.Run(() =>
        {
            using SimulatedPc pc = SimulatedPc.Start(machine.Resolve(result));
            FileInfo file = result.GetValue(output)!;
            File.WriteAllText(file.FullName, PhysicalMapSvg.Render(pc));
            System.Console.WriteLine($"wrote {file.FullName} ({pc.Map.Count} ranges)");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
