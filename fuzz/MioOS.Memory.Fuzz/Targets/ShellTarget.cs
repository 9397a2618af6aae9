using System.Reflection;
using System.Text;

namespace MioOS.Memory.Fuzz.Targets;

/// <summary>
/// <c>mioos-mm shell</c> fed a script on standard input, through the program's own entry point (so whatever the
/// shell's parser becomes, this stays its input): every line is split, parsed and run against a machine booted
/// for the script. The documented answers are a line per command, one line on stderr for bad input, and exit code
/// 0, 1 or 2. A finding is what issue 12 forbids for any input: an exception escaping the program (a stack trace
/// in a terminal), a stack trace in what it prints, or another exit code.
/// </summary>
public sealed class ShellTarget : FuzzTarget
{
    private static readonly MethodInfo EntryPoint = Assembly.Load("mioos-mm").EntryPoint
        ?? throw new InvalidOperationException("mioos-mm has no entry point");

    public override string Name => "shell";

    public override string Description => "mioos-mm shell script on stdin -> the shell's command parser and the machine it drives";

    public override IReadOnlyList<(string Assembly, string[] Prefixes)> Instrument { get; } =
    [
        ("mioos-mm.dll", ["MioOS.Memory.Cli.Commands.ShellCommand"]),
        ("MioOS.Memory.Hosting.dll", ["MioOS.Memory.Hosting.Boot.SizeText"]),
        ("MioOS.Memory.dll", ["MioOS.Memory.Heap", "MioOS.Memory.Physical", "MioOS.Memory.Virtual"]),
    ];

    public override void Run(ReadOnlySpan<byte> input)
    {
        string script = Encoding.UTF8.GetString(input);
        (int exit, string output, string error) = Shell(script);
        if (exit is < 0 or > 2)
            throw new FuzzFinding($"exit code {exit}");
        foreach (string text in new[] { output, error })
            if (text.Contains("\n   at ", StringComparison.Ordinal) || text.Contains("Unhandled exception", StringComparison.Ordinal))
                throw new FuzzFinding($"a stack trace was printed: {text[..Math.Min(text.Length, 300)]}");
    }

    /// <summary>Runs <c>mioos-mm shell</c> in this process on <paramref name="script"/>; an exception escaping it is rethrown.</summary>
    public static (int Exit, string Output, string Error) Shell(string script)
    {
        TextReader stdin = Console.In;
        TextWriter stdout = Console.Out, stderr = Console.Error;
        var output = new StringWriter();
        var error = new StringWriter();
        try
        {
            Console.SetIn(new StringReader(script));
            Console.SetOut(output);
            Console.SetError(error);
            int exit = (int)EntryPoint.Invoke(null, [new[] { "shell" }])!;
            return (exit, output.ToString(), error.ToString());
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            throw new FuzzFinding($"{inner.GetType().Name} escaped mioos-mm shell: {inner.Message}");
        }
        finally
        {
            Console.SetIn(stdin);
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    /// <summary>The scripts of the shell's tests and of the README, one seed each.</summary>
    public override IEnumerable<(string Name, byte[] Bytes)> Seeds(string dataRoot)
    {
        _ = dataRoot;
        yield return ("session.txt", Encoding.ASCII.GetBytes(
            "kmalloc 100\nalloc_frame 4\nalloc_frame 2 identity\nmap 0x40000000 0x00300000\ntranslate 0x40000123\nmeminfo\nheapinfo\ncheck\n"));
        yield return ("refused.txt", Encoding.ASCII.GetBytes("kmalloc 16\nkfree 0x1234\ncheck\n"));
        yield return ("heap.txt", Encoding.ASCII.GetBytes(
            "kmalloc 1K\nkcalloc 4 32\nkrealloc 0x00200420 64\nkmalloc_aligned 100 4096\nkfree 0x00200420\nheapinfo\ncheck\nquit\n"));
        yield return ("frames.txt", Encoding.ASCII.GetBytes(
            "alloc_frame 1\nfree_frame 0x15C000\nalloc_high 2 0x400\nfree_frame 0x00600000\nmap 0x80000000 0x00400000 4m\nunmap 0x80000000\ntranslate 0\n# done\nhelp\n"));
    }
}
