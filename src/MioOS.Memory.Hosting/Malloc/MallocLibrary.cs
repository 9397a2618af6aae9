using System;
using System.Collections.Generic;
using System.IO;
using MioOS.Memory.Hosting.Metal;

namespace MioOS.Memory.Hosting.Malloc;

/// <summary>
/// The malloc library (<c>dotnet build src/MioOS.Memory.Malloc</c>: <c>artifacts/lib/linux-x64/libmioos_malloc.so</c>),
/// the kernel heap as the malloc of x86-64 Linux programs through <c>LD_PRELOAD</c>.
/// </summary>
public sealed class MallocLibrary
{
    private MallocLibrary(string repositoryRoot) => RepositoryRoot = repositoryRoot;

    /// <summary>The repository root.</summary>
    public string RepositoryRoot { get; }

    /// <summary>The library's MSBuild project.</summary>
    public string Project => Path.Combine(RepositoryRoot, "src", "MioOS.Memory.Malloc", "MioOS.Memory.Malloc.csproj");

    /// <summary>The shared object.</summary>
    public string Library => Path.Combine(RepositoryRoot, "artifacts", "lib", "linux-x64", "libmioos_malloc.so");

    /// <summary>Finds the repository as <see cref="KernelBuild.Locate"/> does.</summary>
    public static MallocLibrary Locate(string? start = null) => new(KernelBuild.Locate(start).RepositoryRoot);

    /// <summary>The directories whose sources go into the library: its own, the core, the kernel's core library.</summary>
    public IEnumerable<string> SourceDirectories =>
    [
        Path.Combine(RepositoryRoot, "src", "MioOS.Memory.Malloc"),
        Path.Combine(RepositoryRoot, "src", "MioOS.Memory"),
        Path.Combine(RepositoryRoot, "src", "MioOS.Kernel", "corlib"),
    ];

    /// <summary>True when the library exists and is newer than every source it is built from.</summary>
    public bool IsUpToDate()
    {
        if (!File.Exists(Library))
            return false;
        DateTime built = File.GetLastWriteTimeUtc(Library);
        string[] kinds = [".cs", ".c", ".h", ".map", ".csproj"];
        foreach (string directory in SourceDirectories)
        {
            foreach (string f in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(directory, f);
                if (relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    continue;
                if (kinds.Contains(Path.GetExtension(f)) && File.GetLastWriteTimeUtc(f) > built)
                    return false;
            }
        }
        return true;
    }

    /// <summary>Builds the library (MSBuild skips it when up to date); throws <see cref="MetalEnvironmentException"/>
    /// with the build's last lines when it fails (e.g. no gcc).</summary>
    public void EnsureBuilt(Action<string>? log = null)
    {
        using BuildLock held = BuildLock.Take(RepositoryRoot);
        log?.Invoke($"building the malloc library: dotnet build {Path.GetRelativePath(RepositoryRoot, Project)}");
        int exit = BuildProcess.Run(RepositoryRoot, "dotnet", ["build", Project, "-c", "Release", "-nologo", "-v:q", "-m:1"],
            null, out string tail);
        if (exit != 0 || !File.Exists(Library))
            throw new MetalEnvironmentException(
                $"dotnet build {Project} failed (exit code {exit}):{Environment.NewLine}{tail}");
    }
}
