using System;
using System.IO;
using System.Threading;

namespace MioOS.Memory.Hosting.Metal;

/// <summary>
/// One build at a time per repository, across threads and processes. The kernel, the C library and the malloc
/// library are each built on demand by whichever test fixture or command needs them first, and xUnit starts
/// fixtures in parallel: two <c>dotnet build</c>s of one project at once rewrite the assembly one ILCompiler is
/// reading (it died with SIGBUS on a fresh clone). Holders wait here, then find the build done.
/// </summary>
public sealed class BuildLock : IDisposable
{
    private readonly FileStream _file;

    private BuildLock(FileStream file) => _file = file;

    /// <summary>The lock file under <paramref name="repositoryRoot"/>.</summary>
    public static string PathIn(string repositoryRoot) => System.IO.Path.Combine(repositoryRoot, "artifacts", ".build.lock");

    /// <summary>Waits until no other thread or process of this machine holds the lock of
    /// <paramref name="repositoryRoot"/>, then holds it until disposed. An exclusive open of the lock file is the
    /// lock (.NET takes an advisory <c>flock</c> for <see cref="FileShare.None"/> on Unix), so a holder that dies
    /// releases it with its descriptors.</summary>
    public static BuildLock Take(string repositoryRoot, TimeSpan? timeout = null)
    {
        string path = PathIn(repositoryRoot);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(30));
        while (true)
        {
            try
            {
                return new BuildLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
            catch (IOException e)
            {
                throw new MetalEnvironmentException($"another build held {path} for longer than the wait allowed: {e.Message}");
            }
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _file.Dispose();
}
