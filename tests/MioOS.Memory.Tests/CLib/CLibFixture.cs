using MioOS.Memory.Hosting.Metal;

namespace MioOS.Memory.Tests.CLib;

/// <summary>Builds the C library and the sample C kernel once for the tests that use them. Nothing is skipped:
/// without gcc -m32, ld.lld, nasm, ar or GRUB the build fails and says what is missing.</summary>
public sealed class CLibFixture
{
    public CLibFixture()
    {
        Build = CLibBuild.Locate(AppContext.BaseDirectory);
        Build.EnsureBuilt();
    }

    public CLibBuild Build { get; }

    public QemuBootResult Boot(QemuBootOptions options) => QemuRunner.Boot(Build.SampleImage, Build.SampleIso, options);
}
