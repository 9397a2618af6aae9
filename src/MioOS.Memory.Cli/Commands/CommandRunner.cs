using System;
using System.CommandLine;
using System.IO;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Hosting;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Traces;

namespace MioOS.Memory.Cli.Commands;

/// <summary>Runs a command body and turns every failure into one line on stderr and an exit code, never a stack trace.</summary>
internal static class CommandRunner
{
    public static int Run(ParseResult result, Terminal t, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UsageException e)
        {
            t.Fail(e.Message);
            t.Error.WriteLine(App.TryHelp(result.CommandResult.Command));
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is MemoryMapFormatException or BootFailedException or TraceFormatException)
        {
            t.Fail(e.Message);
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is PageFaultException or MemoryWindowViolationException)
        {
            t.Fail(KernelFault.Describe(e, result.CommandResult.Command.Name));
            return ExitCodes.Failed;
        }
        catch (FileNotFoundException e)
        {
            t.Fail($"no such file: {e.FileName ?? e.Message}");
            return ExitCodes.BadInput;
        }
        catch (DirectoryNotFoundException)
        {
            t.Fail("a directory on the path does not exist");
            return ExitCodes.BadInput;
        }
        catch (UnauthorizedAccessException)
        {
            t.Fail("permission denied (a file could not be read or written)");
            return ExitCodes.BadInput;
        }
        catch (IOException e)
        {
            t.Fail($"input/output failed: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
