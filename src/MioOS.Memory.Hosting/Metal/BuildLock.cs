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
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(30));
        while (true)
        {
            try
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
                return new BuildLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (IsHeldElsewhere(e) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
            catch (IOException e) when (IsHeldElsewhere(e))
            {
                throw new MetalEnvironmentException($"another build held {path} for longer than the wait allowed: {e.Message}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not a holder to wait for (a read-only tree, a file where the directory should be): say so at once.
                throw new MetalEnvironmentException($"cannot take the build lock {path}: {e.Message}");
            }
        }
    }

    /// <summary>True when <paramref name="e"/> says the lock file is open elsewhere: <c>flock</c>'s EWOULDBLOCK (11)
    /// on Linux, a sharing or lock violation (0x80070020, 0x80070021) on Windows.</summary>
    private static bool IsHeldElsewhere(IOException e) =>
        e.HResult is 11 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _file.Dispose();
}
