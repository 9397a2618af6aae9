using System;
using System.Collections.Generic;
using System.IO;

namespace MioOS.Memory.Hosting.Metal;

/// <summary>
/// The C library (<c>dotnet build src/MioOS.Memory.CLib</c>: <c>artifacts/lib/i386/libmioos_memory.a</c> and its
/// header) and the sample C kernel linked against it (<c>samples/c-kernel/build.sh</c>: <c>kernel.elf</c> for
/// <c>-kernel</c>, <c>kernel.iso</c> for GRUB).
/// </summary>
public sealed class CLibBuild
{
    private CLibBuild(KernelBuild repository) => RepositoryRoot = repository.RepositoryRoot;

    /// <summary>The repository root.</summary>
    public string RepositoryRoot { get; }

    /// <summary>The library's MSBuild project.</summary>
    public string Project => Path.Combine(RepositoryRoot, "src", "MioOS.Memory.CLib", "MioOS.Memory.CLib.csproj");

    /// <summary>Where the library and its <c>include/</c> directory are written.</summary>
    public string LibraryDirectory => Path.Combine(RepositoryRoot, "artifacts", "lib", "i386");

    /// <summary>The archive.</summary>
    public string Library => Path.Combine(LibraryDirectory, "libmioos_memory.a");

    /// <summary>The header as installed beside the archive.</summary>
    public string Header => Path.Combine(LibraryDirectory, "include", "mioos", "memory.h");

    /// <summary>The sample kernel's directory (sources and build.sh).</summary>
    public string SampleDirectory => Path.Combine(RepositoryRoot, "samples", "c-kernel");

    /// <summary>Where the sample kernel is built.</summary>
    public string SampleOutput => Path.Combine(RepositoryRoot, "artifacts", "samples", "c-kernel");

    /// <summary>The sample kernel (ELF, multiboot1 and multiboot2 headers).</summary>
    public string SampleImage => Path.Combine(SampleOutput, "kernel.elf");

    /// <summary>The sample kernel's GRUB ISO (multiboot2).</summary>
    public string SampleIso => Path.Combine(SampleOutput, "kernel.iso");

    /// <summary>Finds the repository as <see cref="KernelBuild.Locate"/> does.</summary>
    public static CLibBuild Locate(string? start = null) => new(KernelBuild.Locate(start));

    /// <summary>Builds the library (MSBuild skips it when up to date), then the sample kernel against it.</summary>
    public void EnsureBuilt(Action<string>? log = null)
    {
        using BuildLock held = BuildLock.Take(RepositoryRoot);
        log?.Invoke($"building the C library: dotnet build {Path.GetRelativePath(RepositoryRoot, Project)}");
        Run("dotnet", ["build", Project, "-nologo", "-v:q", "-m:1"], new Dictionary<string, string>());
        log?.Invoke("building the sample kernel: samples/c-kernel/build.sh");
        Run("sh", [Path.Combine(SampleDirectory, "build.sh")], new Dictionary<string, string>
        {
            ["LIB"] = LibraryDirectory,
            ["OUT"] = SampleOutput,
        });
        foreach (string f in new[] { Library, Header, SampleImage, SampleIso })
        {
            if (!File.Exists(f))
                throw new MetalEnvironmentException($"the build did not write {f}");
        }
    }

    private void Run(string program, IEnumerable<string> arguments, Dictionary<string, string> environment)
    {
        int exit = BuildProcess.Run(RepositoryRoot, program, arguments, environment, out string tail);
        if (exit != 0)
            throw new MetalEnvironmentException($"{program} {string.Join(' ', arguments)} failed (exit code {exit}):{Environment.NewLine}{tail}");
    }
}
