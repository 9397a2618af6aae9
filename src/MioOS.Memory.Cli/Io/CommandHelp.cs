using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Linq;

namespace MioOS.Memory.Cli.Io;

/// <summary>The parts of <c>--help</c> System.CommandLine does not write itself: examples and exit codes.</summary>
internal static class CommandHelp
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Command, Extra> Extras = new();

    private sealed record Extra(string[] Examples, string[] ExitCodes);

    /// <summary>The exit codes most commands have.</summary>
    public static readonly string[] StandardExitCodes =
    [
        "0  done",
        "1  refused or failed (an integrity walk found a fault, a call was refused)",
        "2  bad input (an option, a size, a file, a machine that cannot boot)",
    ];

    /// <summary>Gives <paramref name="command"/> examples (each "COMMAND LINE  # what it does") and exit codes.</summary>
    public static T With<T>(this T command, string[] examples, string[]? exitCodes = null) where T : Command
    {
        Extras.AddOrUpdate(command, new Extra(examples, exitCodes ?? StandardExitCodes));
        return command;
    }

    /// <summary>Makes <paramref name="root"/>'s help print each command's examples and exit codes after its options.</summary>
    public static void Install(RootCommand root)
    {
        HelpOption option = root.Options.OfType<HelpOption>().Single();
        option.Action = new WithExtras((HelpAction)option.Action!);
    }

    /// <summary>The help action: System.CommandLine's help, then the examples and exit codes.</summary>
    internal sealed class WithExtras(HelpAction help) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int exit = help.Invoke(parseResult);
            if (Extras.TryGetValue(parseResult.CommandResult.Command, out Extra? extra))
                Section(parseResult.InvocationConfiguration.Output, extra);
            return exit;
        }
    }

    private static void Section(System.IO.TextWriter output, Extra extra)
    {
        output.WriteLine("Examples:");
        foreach (string e in extra.Examples)
            output.WriteLine($"  {e}");
        output.WriteLine();
        output.WriteLine("Exit codes:");
        foreach (string c in extra.ExitCodes)
            output.WriteLine($"  {c}");
    }

    /// <summary>Every command with its examples (for tests and the README check).</summary>
    public static IEnumerable<(Command Command, string[] Examples)> All(Command root) =>
        root.Subcommands.Select(c => (c, Extras.TryGetValue(c, out Extra? e) ? e.Examples : []));
}
