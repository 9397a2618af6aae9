using System;
using System.Collections.Generic;
using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Hosting.Malloc;
using MioOS.Memory.Hosting.Metal;

namespace MioOS.Memory.Cli.Commands;

/// <summary>
/// <c>mioos-mm run [--stats] [--check N] [--abort] -- CMD ARGS...</c>: runs a Linux program with the kernel heap as
/// its malloc (<c>LD_PRELOAD</c> of libmioos_malloc.so, built first when a source is newer), its input and output
/// left as they are, and returns the program's exit code.
/// </summary>
internal static class RunCommand
{
    /// <summary>What <c>run</c> returns when it could not start the program (as <c>env</c> and <c>timeout</c> do).</summary>
    public const int NotRun = 125;

    /// <summary>The program was not found.</summary>
    public const int NotFound = 127;

    public static Command Create(Terminal t)
    {
        var stats = new Option<bool>("--stats") { Description = "one line per process on stderr at exit: calls per function, peak heap and requested bytes, segments, refused calls (MIOOS_MALLOC_STATS=1)" };
        var check = new Option<int>("--check")
        {
            Description = "run the heap's integrity walk every N calls and at exit; abort with a message on the first failure (MIOOS_MALLOC_CHECK=N)",
            HelpName = "N",
        };
        var abort = new Option<bool>("--abort") { Description = "a double or invalid free prints one line and aborts, as glibc does (MIOOS_MALLOC_ABORT=1); without it, it is refused, counted and reported at exit" };
        var noBuild = new Option<bool>("--no-build") { Description = "use the library as it is, without checking the build" };
        var program = new Argument<string[]>("CMD") { Description = "after --: the program and its arguments", Arity = ArgumentArity.OneOrMore };
        var command = new Command("run", "Run a Linux program with the kernel heap as its malloc (LD_PRELOAD of libmioos_malloc.so); exit code is the program's")
        {
            stats, check, abort, noBuild, program,
        }.With(
        [
            "mioos-mm run -- ls -l                          # ls on the kernel heap",
            "mioos-mm run --stats -- python3 -c 'print(1)'  # and the statistics line of each process",
            "PYTHONMALLOC=malloc mioos-mm run --stats -- python3 script.py   # every Python object through the heap",
            "mioos-mm run --check 1000 -- gcc -O2 -c file.c # the integrity walk every 1000 calls (driver and cc1)",
        ],
        [
            "0  the program exited with 0; any other code is the program's own (128 + N when signal N ended it)",
            "2  bad input before the program ran (no program, a negative --check)",
            $"{NotRun}  the library could not be built",
            $"{NotFound}  the program was not found",
        ]);
        command.SetAction(result => CommandRunner.Run(result, t, () =>
        {
            string[] words = result.GetValue(program) ?? [];
            if (words.Length == 0)
                throw new UsageException("run needs a program: mioos-mm run -- CMD ARGS...");
            int every = result.GetValue(check);
            if (every < 0)
                throw new UsageException($"--check {every}: a number of calls, 1 or more");
            MallocLibrary library;
            try
            {
                library = MallocLibrary.Locate();
                if (!result.GetValue(noBuild) && !library.IsUpToDate())
                    library.EnsureBuilt(line => t.Error.WriteLine($"mioos-mm: {line}"));
            }
            catch (MetalEnvironmentException e)
            {
                t.Fail(e.Message);
                return NotRun;
            }
            var environment = new Dictionary<string, string>();
            if (result.GetValue(stats))
                environment["MIOOS_MALLOC_STATS"] = "1";
            if (every > 0)
                environment["MIOOS_MALLOC_CHECK"] = every.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (result.GetValue(abort))
                environment["MIOOS_MALLOC_ABORT"] = "1";
            return Run(t, library.Library, words, environment);
        }));
        return command;
    }

    private static int Run(Terminal t, string library, string[] words, Dictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo(words[0]) { UseShellExecute = false };
        for (int i = 1; i < words.Length; i++)
            psi.ArgumentList.Add(words[i]);
        string? inherited = Environment.GetEnvironmentVariable("LD_PRELOAD");
        psi.Environment["LD_PRELOAD"] = string.IsNullOrEmpty(inherited) ? library : library + " " + inherited;
        foreach ((string k, string v) in environment)
            psi.Environment[k] = v;
        try
        {
            using Process p = Process.Start(psi) ?? throw new Win32Exception("cannot start");
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (Win32Exception)
        {
            t.Fail($"{words[0]}: no such program (or it cannot be run)");
            return NotFound;
        }
    }
}
