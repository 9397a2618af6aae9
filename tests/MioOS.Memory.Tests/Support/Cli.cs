using System.IO;
using System.Text.Json.Nodes;
using MioOS.Memory.Cli;
using MioOS.Memory.Cli.Io;

namespace MioOS.Memory.Tests.Support;

/// <summary>Runs <c>mioos-mm</c> in-process on string buffers, as a pipe would see it.</summary>
internal static class Cli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonNode Json => JsonNode.Parse(Stdout) ?? throw new InvalidDataException("no JSON on stdout");
    }

    public static Result Run(params string[] args) => RunWith("", Terminal.Unwrapped, args);

    /// <summary>Runs with <paramref name="stdin"/> as standard input and output <paramref name="width"/> columns wide.</summary>
    public static Result RunWith(string stdin, int width, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = App.Run(args, Terminal.Capture(new StringReader(stdin), output, error, width));
        return new Result(exit, output.ToString(), error.ToString());
    }
}
