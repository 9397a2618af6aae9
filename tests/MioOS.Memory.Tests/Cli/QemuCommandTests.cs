using MioOS.Memory.Cli.Commands;
using MioOS.Memory.Hosting.Metal;

namespace MioOS.Memory.Tests.Cli;

/// <summary><c>mioos-mm qemu</c>'s parts that need no QEMU run (the Metal tests boot it).</summary>
public class QemuCommandTests
{
    [Theory]
    [InlineData("6500K", "whole number of MiB")]
    [InlineData("1", "at least 2 MiB")]
    [InlineData("128K", "at least 2 MiB")]
    [InlineData("lots", "not a memory size")]
    public void A_bad_memory_size_is_refused_before_anything_runs(string size, string why)
    {
        var r = Support.Cli.Run("qemu", "-m", size, "--no-build");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(why, r.Stderr);
        Assert.Contains("Try 'mioos-mm qemu --help'.", r.Stderr);
    }

    [Fact]
    public void Append_with_grub_is_refused_in_the_users_terms()
    {
        var r = Support.Cli.Run("qemu", "--grub", "--append", "x", "--no-build");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("grub.cfg", r.Stderr);
        Assert.DoesNotContain("Exception", r.Stderr);
    }

    [Fact]
    public void Gdb_and_monitor_start_paused_with_the_stub_and_the_monitor_on_stdio()
    {
        var build = KernelBuild.Prebuilt("/k");
        var options = new QemuBootOptions { ExtraArguments = ["-d", "int"] };
        var args = QemuCommand.Interactive(QemuRunner.Arguments(build, options), gdb: true, monitor: true);
        Assert.Contains("-S", args);
        Assert.Contains("-s", args);
        Assert.Equal("mon:stdio", args[args.IndexOf("-serial") + 1]);
        Assert.DoesNotContain("-monitor", args);
        Assert.Equal(["-d", "int"], args.Skip(args.IndexOf("-d")).Take(2));
        Assert.Equal("128M", args[args.IndexOf("-m") + 1]);
        Assert.Contains("mioos.hold", args[args.IndexOf("-append") + 1]); // stays up after its verdict for info mem
    }

    [Fact]
    public void A_prebuilt_kernel_is_used_as_it_is_and_a_missing_one_is_named()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mioos-prebuilt-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var build = KernelBuild.Prebuilt(dir);
            Assert.False(build.IsUpToDate());
            var e = Assert.Throws<MetalEnvironmentException>(() => build.EnsureBuilt());
            Assert.Contains(dir, e.Message);
            File.WriteAllText(Path.Combine(dir, "mioos.bin"), "");
            File.WriteAllText(Path.Combine(dir, "mioos.iso"), "");
            Assert.True(build.IsUpToDate());
            build.EnsureBuilt(); // nothing to build
            Assert.Equal(Path.Combine(dir, "mioos.bin"), build.Image);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
