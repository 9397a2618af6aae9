using System.Buffers.Binary;
using System.Diagnostics;
using MioOS.Memory.Hosting.Metal;

namespace MioOS.Memory.Tests.Metal;

/// <summary>The harness itself: a broken kernel is never reported as a pass, and the image is what loaders expect.</summary>
[Collection(MetalCollection.Name)]
public sealed class HarnessTests(KernelFixture kernel)
{
    private QemuBootResult BootWith(string append, int timeoutSeconds = 60) =>
        kernel.Boot(new QemuBootOptions { Append = append, Timeout = TimeSpan.FromSeconds(timeoutSeconds) });

    [Fact]
    public void A_failing_selftest_is_a_failure_with_exit_status_35()
    {
        QemuBootResult r = BootWith("mioos.test=fail");
        Assert.Equal(QemuVerdict.Fail, r.Verdict);
        Assert.Equal(35, r.ExitStatus);
        Assert.Matches(@"^MIOOS SELFTEST FAIL (\d+)/(\d+)$", r.LastLine);
        Assert.Equal(r.Total - 1, r.Passed);
    }

    [Fact]
    public void A_panic_is_a_failure()
    {
        QemuBootResult r = BootWith("mioos.test=panic");
        Assert.Equal(QemuVerdict.Fail, r.Verdict);
        Assert.Equal(35, r.ExitStatus);
        Assert.Equal("PANIC: asked for by mioos.test=panic", r.LastLine);
    }

    [Fact]
    public void A_triple_fault_is_a_failure()
    {
        QemuBootResult r = BootWith("mioos.test=triple-fault");
        Assert.Equal(QemuVerdict.Fail, r.Verdict);
        Assert.Equal(0, r.ExitStatus);
    }

    [Fact]
    public void A_hang_is_a_timeout()
    {
        QemuBootResult r = BootWith("mioos.test=hang", timeoutSeconds: 5);
        Assert.Equal(QemuVerdict.Timeout, r.Verdict);
    }

    [Fact]
    public void The_image_carries_multiboot1_and_multiboot2_headers_and_ends_below_the_heap()
    {
        byte[] image = File.ReadAllBytes(kernel.Build.Image);
        uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(at));

        int mb1 = -1;
        for (int at = 0; at + 32 <= Math.Min(image.Length, 8192); at += 4)
            if (U32(at) == 0x1BADB002 && U32(at) + U32(at + 4) + U32(at + 8) == 0) { mb1 = at; break; }
        Assert.True(mb1 >= 0, "no multiboot1 header in the first 8 KiB");
        Assert.True((U32(mb1 + 4) & (1u << 16)) != 0, "a.out kludge flag");
        uint header = U32(mb1 + 12), load = U32(mb1 + 16), loadEnd = U32(mb1 + 20), bssEnd = U32(mb1 + 24), entry = U32(mb1 + 28);
        Assert.Equal(0x100000u, load);
        Assert.Equal(load + (uint)mb1, header);
        Assert.Equal((uint)image.Length, loadEnd - load);
        Assert.InRange(bssEnd, loadEnd, 0x200000u);
        Assert.InRange(entry, load, loadEnd - 1);

        int mb2 = -1;
        for (int at = 0; at + 16 <= Math.Min(image.Length, 32768); at += 8)
            if (U32(at) == 0xE85250D6 && U32(at) + U32(at + 4) + U32(at + 8) + U32(at + 12) == 0) { mb2 = at; break; }
        Assert.True(mb2 >= 0, "no multiboot2 header in the first 32 KiB");
        Assert.Equal(0u, U32(mb2 + 4)); // i386
    }

    [Fact]
    public void The_image_builder_refuses_a_kernel_that_reaches_the_heap()
    {
        string obj = Path.Combine(kernel.Build.RepositoryRoot, "src", "MioOS.Kernel", "obj", "kernel");
        byte[] pe = File.ReadAllBytes(Path.Combine(obj, "mioos.exe"));
        // Grow the last section (the bss holding the stack) by 1 MiB: the image now ends past 0x200000.
        int nt = BinaryPrimitives.ReadInt32LittleEndian(pe.AsSpan(0x3C));
        int sections = BinaryPrimitives.ReadUInt16LittleEndian(pe.AsSpan(nt + 6));
        int optSize = BinaryPrimitives.ReadUInt16LittleEndian(pe.AsSpan(nt + 20));
        int last = nt + 24 + optSize + (sections - 1) * 40;
        uint virtualSize = BinaryPrimitives.ReadUInt32LittleEndian(pe.AsSpan(last + 8));
        BinaryPrimitives.WriteUInt32LittleEndian(pe.AsSpan(last + 8), virtualSize + 0x100000);
        int sizeOfImage = nt + 24 + 56;
        BinaryPrimitives.WriteUInt32LittleEndian(pe.AsSpan(sizeOfImage), BinaryPrimitives.ReadUInt32LittleEndian(pe.AsSpan(sizeOfImage)) + 0x100000);
        string dir = Directory.CreateTempSubdirectory("mioos-image").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "big.exe"), pe);
            string builder = Directory.GetFiles(Path.Combine(kernel.Build.RepositoryRoot, "tools", "MioOS.ImageBuilder", "bin"),
                "MioOS.ImageBuilder.dll", SearchOption.AllDirectories).First();
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string a in new[] { builder, Path.Combine(dir, "big.exe"), Path.Combine(obj, "mioos.map"), Path.Combine(dir, "big.bin") })
                psi.ArgumentList.Add(a);
            using Process p = Process.Start(psi)!;
            string error = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.Equal(1, p.ExitCode);
            Assert.Contains("inside the heap area at 0x200000", error);
            Assert.False(File.Exists(Path.Combine(dir, "big.bin")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
