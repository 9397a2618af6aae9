using System.CommandLine;
using System.Text.RegularExpressions;
using MioOS.Memory.Cli;
using MioOS.Memory.Cli.Io;

namespace MioOS.Memory.Tests.Cli;

/// <summary>Every command's help has examples and exit codes, names its values as people read them, and the
/// README lists every command.</summary>
public class HelpTests
{
    public static TheoryData<string> CommandNames()
    {
        var data = new TheoryData<string>();
        foreach (Command c in App.Commands(Terminal.Capture(TextReader.Null, TextWriter.Null, TextWriter.Null)).Subcommands)
            data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Help_has_examples_exit_codes_and_upper_case_value_names(string command)
    {
        var r = Support.Cli.Run(command, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Examples:", r.Stdout);
        Assert.Contains("Exit codes:", r.Stdout);
        Assert.Contains("  0  ", r.Stdout);
        Assert.Contains("  2  ", r.Stdout);
        Assert.DoesNotMatch("<[a-z]", r.Stdout); // <memmap>, <address>: value names read SIZE, FILE, ADDR
        string examples = r.Stdout[r.Stdout.IndexOf("Examples:", StringComparison.Ordinal)..];
        Assert.Contains($"mioos-mm {command}", examples);
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void The_readme_lists_every_command(string command)
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "MioOS.Memory.slnx")))
            root = Path.GetDirectoryName(root)!;
        Assert.Matches(new Regex($"^mioos-mm {command}\\b", RegexOptions.Multiline), File.ReadAllText(Path.Combine(root, "README.md")));
    }

    [Fact]
    public void A_bad_option_says_which_commands_help_to_read()
    {
        var r = Support.Cli.Run("heapinfo", "--frobnicate");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Try 'mioos-mm heapinfo --help'.", r.Stderr);
    }

    [Fact]
    public void Cpu_takes_qemus_model_names_everywhere()
    {
        foreach (string command in new[] { "boot", "heapinfo", "pagemap", "shell" })
        {
            Assert.Equal(0, Support.Cli.Run(command, "--cpu", "coreduo", "--json").ExitCode);
            var bad = Support.Cli.Run(command, "--cpu", "max36");
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("qemu32, 486, pentium, pentium2, pentium3, coreduo, n270, max", bad.Stderr);
        }
        Assert.Equal("n270", (string)Support.Cli.Run("boot", "--cpu", "n270", "--json").Json["vmm"]!["cpu"]!);
    }
}
