using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MioOS.Memory.Hosting.Metal;

/// <summary>Thrown when the kernel cannot be built or booted for a reason outside the kernel (no QEMU, a failed build).</summary>
public sealed class MetalEnvironmentException(string message) : Exception(message);

/// <summary>
/// Where the bare-metal kernel's sources and artifacts are, and how to (re)build it: <c>dotnet build
/// src/MioOS.Kernel</c>, run only when an artifact is missing or older than a source it is made from.
/// </summary>
public sealed class KernelBuild
{
    private KernelBuild(string root, string artifacts, bool prebuilt)
    {
        RepositoryRoot = root;
        ArtifactsDirectory = artifacts;
        IsPrebuilt = prebuilt;
    }

    /// <summary>The repository root (the directory holding <c>MioOS.Memory.slnx</c>); empty for a prebuilt kernel.</summary>
    public string RepositoryRoot { get; }

    /// <summary>The directory with <c>mioos.bin</c>, <c>mioos.iso</c> and <c>modules/</c>.</summary>
    public string ArtifactsDirectory { get; }

    /// <summary>True for artifacts shipped without sources (an installed tool): nothing is built.</summary>
    public bool IsPrebuilt { get; }

    /// <summary>Artifacts shipped in <paramref name="directory"/> (e.g. inside the installed tool), used as they are.</summary>
    public static KernelBuild Prebuilt(string directory) => new("", directory, prebuilt: true);

    /// <summary>The kernel's MSBuild project.</summary>
    public string Project => Path.Combine(RepositoryRoot, "src", "MioOS.Kernel", "MioOS.Kernel.csproj");

    /// <summary>The multiboot1 image for <c>qemu-system-i386 -kernel</c>.</summary>
    public string Image => Path.Combine(ArtifactsDirectory, "mioos.bin");

    /// <summary>The GRUB 2 ISO (multiboot2).</summary>
    public string Iso => Path.Combine(ArtifactsDirectory, "mioos.iso");

    /// <summary>The two test boot modules the build writes (see <see cref="ModuleFiles"/>).</summary>
    public string ModulesDirectory => Path.Combine(ArtifactsDirectory, "modules");

    /// <summary>
    /// The test boot modules, with the contents the captures in data/bootinfo used: <c>a.bin</c> =
    /// "module A payload 123\n" (21 bytes), <c>b.bin</c> = 300 bytes with byte i = (7*i+3) &amp; 0xff. The ISO's
    /// grub.cfg loads both after the kernel (<c>module2 /boot/a.bin argA x=1</c>, <c>module2 /boot/b.bin</c>);
    /// pass them to a <c>-kernel</c> boot through <see cref="QemuBootOptions.Modules"/>.
    /// </summary>
    public IReadOnlyList<string> ModuleFiles => [Path.Combine(ModulesDirectory, "a.bin"), Path.Combine(ModulesDirectory, "b.bin")];

    /// <summary>The module strings GRUB passes for the ISO's modules (only the arguments after the file name).</summary>
    public static IReadOnlyList<string> GrubModuleStrings => ["argA x=1", ""];

    /// <summary>Finds the repository from <paramref name="start"/> (default: the current directory, then this assembly's directory) upwards.</summary>
    public static KernelBuild Locate(string? start = null)
    {
        foreach (string from in start is not null ? [start] : new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? d = new(from); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "MioOS.Memory.slnx"))
                    && File.Exists(Path.Combine(d.FullName, "src", "MioOS.Kernel", "MioOS.Kernel.csproj")))
                    return new KernelBuild(d.FullName, Path.Combine(d.FullName, "artifacts", "kernel"), prebuilt: false);
            }
        }
        throw new MetalEnvironmentException("cannot find the repository (MioOS.Memory.slnx with src/MioOS.Kernel) above the current directory");
    }

    /// <summary>The sources the artifacts are made from: the kernel, the core, the image builder.</summary>
    public IEnumerable<string> Sources()
    {
        string[] dirs =
        [
            Path.Combine(RepositoryRoot, "src", "MioOS.Kernel"),
            Path.Combine(RepositoryRoot, "src", "MioOS.Memory"),
            Path.Combine(RepositoryRoot, "tools", "MioOS.ImageBuilder"),
        ];
        foreach (string dir in dirs.Where(Directory.Exists))
        {
            foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                string rel = Path.GetRelativePath(dir, file);
                if (rel.StartsWith("bin" + Path.DirectorySeparatorChar) || rel.StartsWith("obj" + Path.DirectorySeparatorChar))
                    continue;
                if (file.EndsWith(".cs") || file.EndsWith(".asm") || file.EndsWith(".inc") || file.EndsWith("proj") || file.EndsWith(".props"))
                    yield return file;
            }
        }
    }

    /// <summary>True when both artifacts exist and are newer than every source.</summary>
    public bool IsUpToDate()
    {
        if (IsPrebuilt)
            return File.Exists(Image) && File.Exists(Iso);
        if (!File.Exists(Image) || !File.Exists(Iso) || !ModuleFiles.All(File.Exists))
            return false;
        DateTime built = new[] { File.GetLastWriteTimeUtc(Image), File.GetLastWriteTimeUtc(Iso) }.Min();
        return Sources().All(s => File.GetLastWriteTimeUtc(s) <= built);
    }

    /// <summary>Builds the kernel unless it is up to date; build output goes to <paramref name="log"/>.</summary>
    public void EnsureBuilt(Action<string>? log = null, bool force = false)
    {
        if (IsPrebuilt)
        {
            if (!IsUpToDate())
                throw new MetalEnvironmentException($"the prebuilt kernel is missing from {ArtifactsDirectory} (mioos.bin, mioos.iso)");
            return;
        }
        if (!force && IsUpToDate())
            return;
        using BuildLock held = BuildLock.Take(RepositoryRoot);
        if (!force && IsUpToDate())
            return; // built by whoever held the lock before
        log?.Invoke($"building the kernel: dotnet build {Path.GetRelativePath(RepositoryRoot, Project)}");
        int exit = BuildProcess.Run(RepositoryRoot, "dotnet", ["build", Project, "-nologo", "-v:q", "-m:1"], null, out string tail);
        if (exit != 0 || !File.Exists(Image) || !File.Exists(Iso))
            throw new MetalEnvironmentException($"the kernel build failed (dotnet build exit code {exit}):{Environment.NewLine}{tail}");
    }
}
