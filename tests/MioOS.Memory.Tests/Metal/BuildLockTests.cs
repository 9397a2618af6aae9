using System.Diagnostics;
using MioOS.Memory.Hosting.Metal;

namespace MioOS.Memory.Tests.Metal;

/// <summary>The build lock lets one build of a repository run at a time, between threads and between processes.</summary>
public class BuildLockTests
{
    [Fact]
    public void A_second_taker_waits_until_the_first_releases()
    {
        string root = Directory.CreateTempSubdirectory("mioos-lock-").FullName;
        try
        {
            var first = BuildLock.Take(root);
            var taken = new ManualResetEventSlim();
            var second = new Thread(() =>
            {
                using (BuildLock.Take(root))
                    taken.Set();
            });
            second.Start();
            Assert.False(taken.Wait(TimeSpan.FromMilliseconds(800)), "the second taker got the lock while the first held it");
            first.Dispose();
            Assert.True(taken.Wait(TimeSpan.FromSeconds(10)), "the second taker never got the released lock");
            second.Join();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Another_process_cannot_take_a_held_lock_and_a_short_wait_says_so()
    {
        string root = Directory.CreateTempSubdirectory("mioos-lock-").FullName;
        try
        {
            using (BuildLock.Take(root))
            {
                // flock(1) from util-linux stands for another process: -n fails at once when the lock is held.
                var psi = new ProcessStartInfo("flock", ["-n", BuildLock.PathIn(root), "true"]);
                using Process p = Process.Start(psi)!;
                p.WaitForExit();
                Assert.NotEqual(0, p.ExitCode);
                var e = Assert.Throws<MetalEnvironmentException>(() => BuildLock.Take(root, TimeSpan.FromMilliseconds(300)));
                Assert.Contains(".build.lock", e.Message);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_lock_that_cannot_be_created_is_refused_at_once_with_its_path()
    {
        string root = Directory.CreateTempSubdirectory("mioos-lock-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "artifacts"), "a file where the lock's directory should be");
            var clock = Stopwatch.StartNew();
            var e = Assert.Throws<MetalEnvironmentException>(() => BuildLock.Take(root));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"waited {clock.Elapsed} for a lock no one holds");
            Assert.Contains("cannot take the build lock", e.Message);
            Assert.Contains(".build.lock", e.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
