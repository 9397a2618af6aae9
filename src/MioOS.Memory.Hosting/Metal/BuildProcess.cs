using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace MioOS.Memory.Hosting.Metal;

/// <summary>Runs one step of a build (<c>dotnet build</c>, a script) as a child process, its output kept for the
/// message when it fails. The kernel's, the C library's and the malloc library's builds all start theirs here.</summary>
internal static class BuildProcess
{
    /// <summary>Runs <paramref name="program"/> in <paramref name="workingDirectory"/> and returns its exit code;
    /// <paramref name="tail"/> is the last 30 lines it wrote (stdout and stderr, as they came). Throws
    /// <see cref="MetalEnvironmentException"/> when the program cannot be started.</summary>
    public static int Run(string workingDirectory, string program, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment, out string tail)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
            psi.ArgumentList.Add(a);
        // A build started from inside `dotnet test` or `dotnet run` must not inherit their MSBuild settings.
        psi.Environment.Remove("MSBuildExtensionsPath");
        psi.Environment.Remove("MSBUILD_EXE_PATH");
        psi.Environment.Remove("MSBuildSDKsPath");
        if (environment is not null)
            foreach ((string k, string v) in environment)
                psi.Environment[k] = v;
        using Process p = Process.Start(psi) ?? throw new MetalEnvironmentException($"cannot start {program}");
        var output = new List<string>();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        p.WaitForExit();
        lock (output)
            tail = string.Join(Environment.NewLine, output.TakeLast(30));
        return p.ExitCode;
    }
}
