using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Platform;

/// <summary>The CPUID facts the VMM decides with: a feature set has a flag combination only when every flag of it is
/// present.</summary>
public class CpuFeaturesTests
{
    [Theory]
    [InlineData(CpuFeatureFlags.None, CpuFeatureFlags.None, true)]
    [InlineData(CpuFeatureFlags.None, CpuFeatureFlags.Pse, false)]
    [InlineData(CpuFeatureFlags.Pse, CpuFeatureFlags.Pse, true)]
    [InlineData(CpuFeatureFlags.Pse, CpuFeatureFlags.Pse36, false)]
    [InlineData(CpuFeatureFlags.Pse, CpuFeatureFlags.Pse | CpuFeatureFlags.Pse36, false)] // one of two is not both
    [InlineData(CpuFeatureFlags.Pse | CpuFeatureFlags.Pse36, CpuFeatureFlags.Pse | CpuFeatureFlags.Pse36, true)]
    [InlineData(CpuFeatureFlags.Pse | CpuFeatureFlags.Pse36 | CpuFeatureFlags.Pge, CpuFeatureFlags.Pge, true)]
    public void A_cpu_has_a_set_of_features_only_when_it_has_each_of_them(CpuFeatureFlags present, CpuFeatureFlags asked, bool has)
    {
        var features = new CpuFeatures(present, 36);
        Assert.Equal(has, features.Has(asked));
        Assert.Equal(present, features.Flags);
        Assert.Equal(36, features.MaxPhysicalAddressBits);
    }

    [Fact]
    public void The_control_register_bits_are_the_sdms()
    {
        Assert.Equal((1u << 0, 1u << 1, 1u << 2, 1u << 16, 1u << 31),
            (ControlRegisters.Cr0ProtectionEnable, ControlRegisters.Cr0MonitorCoprocessor, ControlRegisters.Cr0Emulation,
             ControlRegisters.Cr0WriteProtect, ControlRegisters.Cr0Paging));
        Assert.Equal((1u << 4, 1u << 5, 1u << 7, 1u << 9, 1u << 10, 1u << 20),
            (ControlRegisters.Cr4PageSizeExtensions, ControlRegisters.Cr4PhysicalAddressExtension, ControlRegisters.Cr4PageGlobalEnable,
             ControlRegisters.Cr4Osfxsr, ControlRegisters.Cr4Osxmmexcpt, ControlRegisters.Cr4Smep));
    }
}
