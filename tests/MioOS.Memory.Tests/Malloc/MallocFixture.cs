using MioOS.Memory.Hosting.Malloc;

namespace MioOS.Memory.Tests.Malloc;

/// <summary>Builds the malloc library once, and compiles the test's own C programs (Malloc/programs) with gcc
/// into a temporary directory. Nothing is skipped: without gcc or the Debian programs the tests fail and say so.</summary>
public sealed class MallocFixture : IDisposable
{
    public MallocFixture()
    {
        Library = MallocLibrary.Locate(AppContext.BaseDirectory);
        Library.EnsureBuilt();
        Programs = Path.Combine(Library.RepositoryRoot, "tests", "MioOS.Memory.Tests", "Malloc", "programs");
        Scratch = Directory.CreateTempSubdirectory("mioos-malloc-").FullName;
        foreach (string name in new[] { "threads", "semantics", "misuse", "early", "requested" })
            Compile(name);
    }

    public MallocLibrary Library { get; }

    /// <summary>The directory of the test's programs and scripts.</summary>
    public string Programs { get; }

    /// <summary>A temporary directory for compiled programs and work directories.</summary>
    public string Scratch { get; }

    public string Program(string name) => Path.Combine(Programs, name);

    public string Compiled(string name) => Path.Combine(Scratch, name);

    private void Compile(string name)
    {
        CommandResult r = PreloadRun.Run("gcc", ["-O2", "-w", "-pthread", "-o", Compiled(name), Program(name + ".c")], null);
        Assert.True(r.ExitCode == 0, $"gcc {name}.c failed:\n{r.StandardError}");
    }

    /// <summary>A fresh empty directory under <see cref="Scratch"/>.</summary>
    public string NewDirectory(string name) => Directory.CreateDirectory(Path.Combine(Scratch, name + "-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Scratch, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
