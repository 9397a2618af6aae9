namespace MioOS.Memory.Tests.Cli;

/// <summary>The README's two commands do all the set-up: one package list, read by every script.</summary>
public class FreshMachineTests
{
    private static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MioOS.Memory.slnx")))
                return d.FullName;
        throw new DirectoryNotFoundException("the repository root");
    }

    [Fact]
    public void The_readme_commands_are_the_scripts_and_ci_runs_the_readmes_test_command()
    {
        string root = Root();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        Assert.Contains("<!-- test-command -->\n```sh\n./test.sh\n```", readme);
        Assert.Contains("```sh\n./run.sh\n```", readme);
        string ci = File.ReadAllText(Path.Combine(root, ".ci", "run"));
        Assert.Contains("test-command", ci);
        Assert.Contains("passed, $(sum Failed) failed", ci);
    }

    [Theory]
    [InlineData("test.sh")]
    [InlineData("run.sh")]
    public void Each_script_installs_through_setup_from_the_one_package_list(string script)
    {
        string root = Root();
        Assert.Contains("scripts/setup.sh", File.ReadAllText(Path.Combine(root, script)));
        Assert.Contains("debian-packages", File.ReadAllText(Path.Combine(root, "scripts", "setup.sh")));
        string[] packages = File.ReadAllLines(Path.Combine(root, "scripts", "debian-packages"));
        foreach (string p in new[] { "qemu-system-x86", "grub-pc-bin", "grub-common", "lld", "nasm", "xorriso", "mtools" })
            Assert.Contains(p, packages);
        // No second list: no other script names a package to install.
        foreach (string other in new[] { "test.sh", "run.sh", Path.Combine(".ci", "run") })
            Assert.DoesNotContain("qemu-system-x86", File.ReadAllText(Path.Combine(root, other)));
    }
}
