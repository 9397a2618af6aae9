using System.CommandLine;
using System.Linq;
using MioOS.Memory.Cli.Commands;
using MioOS.Memory.Cli.Io;

namespace MioOS.Memory.Cli;

/// <summary><c>mioos-mm</c>: every command, parsed and run against one <see cref="Terminal"/>.</summary>
internal static class App
{
    /// <summary>The root command with every command of the tool, writing to <paramref name="terminal"/>.</summary>
    public static RootCommand Commands(Terminal terminal)
    {
        var root = new RootCommand("mioos-mm: MioOS's memory manager (PMM, VMM, kernel heap) on a simulated PC, and its kernel under QEMU.")
        {
            BootCommand.Create(terminal),
            MeminfoCommand.Create(terminal),
            HeapinfoCommand.Create(terminal),
            TranslateCommand.Create(terminal),
            PagemapCommand.Create(terminal),
            MapCommand.Create(terminal),
            PictureCommands.Heapmap(terminal),
            PictureCommands.Pagetables(terminal),
            ReplayCommand.Create(terminal),
            StressCommand.Create(terminal),
            ShellCommand.Create(terminal),
            ExploreCommand.Create(terminal),
            QemuCommand.Create(terminal),
            RunCommand.Create(terminal),
        };
        CommandHelp.Install(root);
        return root;
    }

    /// <summary>Runs the tool with <paramref name="args"/>; returns the exit code (0 ok, 1 refused or failed, 2 bad input).</summary>
    public static int Run(string[] args, Terminal terminal)
    {
        RootCommand root = Commands(terminal);
        ParseResult parsed = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = terminal.Out, Error = terminal.Error };
        if (parsed.Errors.Count > 0 && parsed.Action is not CommandHelp.WithExtras)
        {
            foreach (var error in parsed.Errors)
                terminal.Error.WriteLine($"mioos-mm: {error.Message}");
            terminal.Error.WriteLine(TryHelp(parsed.CommandResult.Command));
            return ExitCodes.BadInput;
        }
        return parsed.Invoke(configuration);
    }

    /// <summary>"Try 'mioos-mm CMD --help'." for <paramref name="command"/>.</summary>
    public static string TryHelp(Command command) =>
        command is RootCommand ? "Try 'mioos-mm --help'." : $"Try 'mioos-mm {command.Name} --help'.";
}
