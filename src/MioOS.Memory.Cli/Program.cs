using System.CommandLine;
using MioOS.Memory.Cli.Commands;

namespace MioOS.Memory.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("mioos-mm: MioOS's memory manager (PMM, VMM, kernel heap) on a simulated PC.")
        {
            BootCommand.Create(),
            MeminfoCommand.Create(),
            QemuCommand.Create(),
            MapCommand.Create(),
            TranslateCommand.Create(),
            PagemapCommand.Create(),
            ShellCommand.Create(),
            HeapinfoCommand.Create(),
            ReplayCommand.Create(),
        };
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
                System.Console.Error.WriteLine($"mioos-mm: {error.Message}");
            System.Console.Error.WriteLine("Try 'mioos-mm --help'.");
            return ExitCodes.BadInput;
        }
        return parsed.Invoke();
    }
}
