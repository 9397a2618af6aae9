
namespace MioOS.Memory.Tests.Cli;

public class ShellCommandTests
{
    private static (int Exit, string Out, string Err) Shell(string script)
    {
        var r = Support.Cli.RunWith(script, MioOS.Memory.Cli.Io.Terminal.Unwrapped, "shell");
        return (r.ExitCode, r.Stdout, r.Stderr);
    }

    [Fact]
    public void A_script_allocates_maps_and_checks_with_one_answer_per_line()
    {
        var (exit, output, _) = Shell("kmalloc 100\nalloc_frame 4\nalloc_frame 2 identity\nmap 0x40000000 0x00300000\ntranslate 0x40000123\nmeminfo\nheapinfo\ncheck\n");
        Assert.Equal(0, exit);
        string[] lines = output.Trim().Split('\n');
        Assert.Equal(8, lines.Length);
        Assert.StartsWith("0x002004", lines[0]);             // first fit: right after the heap's control block
        Assert.Equal("0x40000123 -> 0x00300123", lines[4]);
        Assert.Equal("integrity: pmm ok, heap ok", lines[7]);
    }

    [Fact]
    public void A_refused_call_is_answered_and_makes_the_exit_code_1()
    {
        var (exit, output, _) = Shell("kmalloc 16\nkfree 0x1234\ncheck\n");
        Assert.Equal(1, exit);
        Assert.Contains("ForeignPointer", output);
        Assert.Contains("integrity: pmm ok, heap ok", output);
    }

    [Fact]
    public void An_unknown_command_names_the_line_and_exits_2()
    {
        var (exit, _, error) = Shell("kmalloc 16\nfrobnicate 3\n");
        Assert.Equal(2, exit);
        Assert.Contains("line 2", error);
        Assert.Contains("unknown command", error);
    }
}
