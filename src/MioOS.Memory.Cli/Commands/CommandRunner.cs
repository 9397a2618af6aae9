using System;
using System.IO;
using MioOS.Memory.Hosting;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Machine;

namespace MioOS.Memory.Cli.Commands;

/// <summary>Runs a command body and turns bad input into one line on stderr and exit code 2, never a stack trace.</summary>
internal static class CommandRunner
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is MemoryMapFormatException or BootFailedException or FileNotFoundException
            or DirectoryNotFoundException or FormatException or InvalidDataException or ArgumentException
            or MemoryWindowViolationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"mioos-mm: error: {e.Message}");
            return ExitCodes.BadInput;
        }
    }
}
