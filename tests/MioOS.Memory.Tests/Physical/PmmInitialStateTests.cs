using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Tests.Support;
using static MioOS.Memory.Tests.Support.Machines;

namespace MioOS.Memory.Tests.Physical;

/// <summary>
/// The PMM's free store right after it starts equals the model's, built from an independent reading of the
/// firmware's map and the spec's reservations: so a wrong rounding, a lost or extra extent, a reservation
/// forgotten or too wide shows up here, not only as a different answer later.
/// </summary>
public class PmmInitialStateTests
{
    /// <summary>The one map whose high memory is beyond what the PMM's metadata budget tracks.</summary>
    private const string BeyondBudget = "12-supermicro-h13dsg-epyc-1.5tib.txt";

    [Theory]
    [MemberData(nameof(TestData.MemoryMapNames), MemberType = typeof(TestData))]
    public void Real_map_starts_with_the_models_free_extents(string name)
    {
        string path = TestData.MemoryMap(name);
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemoryMapFile(path));
        Assert.Equal(name == BeyondBudget, pc.Pmm.Stats.UntrackedFramesHigh > 0);
        PmmAssert.SameAs(new PmmModel(PmmSeed.Of(pc, path)), pc.Pmm);
        Assert.Empty(PmmAssert.Allocations(pc.Pmm));
    }

    public static TheoryData<ulong> QemuSizes => new() { 16ul << 20, 32ul << 20, 128ul << 20, 1ul << 30, 3500ul << 20, 5ul << 30 };

    [Theory]
    [MemberData(nameof(QemuSizes))]
    public void Qemu_pc_starts_with_the_models_free_extents(ulong ram)
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemorySize(ram));
        Assert.Equal(0ul, pc.Pmm.Stats.UntrackedFramesHigh);
        PmmAssert.SameAs(new PmmModel(PmmSeed.Of(pc)), pc.Pmm);
    }

    [Theory]
    [InlineData(BootProtocol.Multiboot1)]
    [InlineData(BootProtocol.Multiboot2)]
    public void Loader_data_and_modules_after_the_kernel_are_left_out_with_both_protocols(BootProtocol protocol)
    {
        var config = MachineConfig.Default with
        {
            Protocol = protocol,
            CommandLine = "console=ttyS0 a-rather-long-command-line-to-take-some-room",
            Modules = [new BootModuleImage(new byte[70_000], "initrd"), new BootModuleImage([1, 2, 3], "tiny"), new BootModuleImage(new byte[4096], "page")],
        };
        using SimulatedPc pc = SimulatedPc.Boot(config);
        var model = new PmmModel(PmmSeed.Of(pc));
        PmmAssert.SameAs(model, pc.Pmm);
        // The loader's data really is in the way: without it the model would offer those frames.
        ulong kernelEndFrame = (config.Layout.KernelEnd + 4095) / 4096 * 4096;
        Assert.True(pc.Handoff.End > kernelEndFrame + 4096 * 17);
    }

    [Fact]
    public void Unaligned_map_with_holes_islands_and_a_kernel_above_the_default_base()
    {
        var config = WithMap(
            E(0, 0x9FC00), E(0x9FC00, 0x400, Reserved),
            E(0x100000, 0x2FF123),                       // ends mid-frame
            E(0x3FF123, 0x10, 4),                        // a sliver of NVS
            E(0x3FF133, 0x7C00ECD),                      // starts mid-frame, runs to 0x8000000
            E(0x5000000, 0x1000, Reserved),              // a reserved frame inside it (higher type wins)
            E(0x9000000, 0x1800),                        // a frame and a half on its own
            E(0x100000000, 0x40000000)) with
        {
            Layout = new KernelLayout(0x400000, 0x4A3210),
        };
        using SimulatedPc pc = SimulatedPc.Boot(config);
        PmmAssert.SameAs(new PmmModel(PmmSeed.Of(pc)), pc.Pmm);
    }
}
