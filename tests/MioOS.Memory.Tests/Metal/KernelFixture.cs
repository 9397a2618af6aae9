using MioOS.Memory.Hosting.Metal;

namespace MioOS.Memory.Tests.Metal;

/// <summary>
/// Builds the bare-metal kernel once for every QEMU test (a no-op when the artifacts are newer than their
/// sources). Nothing is skipped: without QEMU, nasm, lld or GRUB the tests fail and say what is missing.
/// </summary>
public sealed class KernelFixture
{
    public KernelFixture()
    {
        Build = KernelBuild.Locate(AppContext.BaseDirectory);
        Build.EnsureBuilt();
    }

    public KernelBuild Build { get; }

    /// <summary>Boots and returns the result; the serial output is kept for the failure message.</summary>
    public QemuBootResult Boot(QemuBootOptions options) => QemuRunner.Boot(Build, options);
}

/// <summary>QEMU boots run one at a time (the machine is shared), after one kernel build.</summary>
[CollectionDefinition(Name)]
public sealed class MetalCollection : ICollectionFixture<KernelFixture>
{
    public const string Name = "Metal (QEMU)";
}
