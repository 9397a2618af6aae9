using MioOS.Memory.Cli.Io;

namespace MioOS.Memory.Cli;

internal static class Program
{
    private static int Main(string[] args) => App.Run(args, Terminal.FromConsole());
}
