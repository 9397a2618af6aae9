using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace MioOS.Memory.Hosting.Malloc;

/// <summary>What a command printed and returned.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed);

/// <summary>
/// Runs a command with a malloc chosen by <c>LD_PRELOAD</c> (none: glibc's), its output captured. Children inherit
/// the preload (gcc's driver and cc1, git's helpers).
/// </summary>
public static class PreloadRun
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> in <paramref name="directory"/>,
    /// with <paramref name="preload"/> (null: none) and the extra <paramref name="environment"/>; the standard input
    /// is <paramref name="input"/> (null: empty).</summary>
    public static CommandResult Run(string program, IEnumerable<string> arguments, string? preload,
        IReadOnlyDictionary<string, string>? environment = null, string? directory = null, string? input = null,
        TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory ?? Directory.GetCurrentDirectory(),
        };
        foreach (string a in arguments)
            psi.ArgumentList.Add(a);
        psi.Environment.Remove("LD_PRELOAD");
        foreach (string name in new[] { "MIOOS_MALLOC_STATS", "MIOOS_MALLOC_CHECK", "MIOOS_MALLOC_ABORT" })
            psi.Environment.Remove(name);
        if (preload is not null)
            psi.Environment["LD_PRELOAD"] = preload;
        if (environment is not null)
        {
            foreach ((string k, string v) in environment)
                psi.Environment[k] = v;
        }
        var clock = Stopwatch.StartNew();
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {program}");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (input is not null)
            p.StandardInput.Write(input);
        p.StandardInput.Close();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in {timeout ?? TimeSpan.FromMinutes(5)}");
        }
        p.WaitForExit();
        clock.Stop();
        return new CommandResult(p.ExitCode, stdout.Result, stderr.Result, clock.Elapsed);
    }
}
