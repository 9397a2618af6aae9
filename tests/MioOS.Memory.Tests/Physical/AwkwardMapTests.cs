using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using static MioOS.Memory.Tests.Support.Machines;

namespace MioOS.Memory.Tests.Physical;

/// <summary>Hand-built maps that real firmware and loaders can produce and dmesg never shows.</summary>
public class AwkwardMapTests
{
    private static SimulatedPc Boot(params MemoryMapEntry[] map) => SimulatedPc.Boot(WithMap(map));

    [Fact]
    public void Overlapping_entries_with_a_high_raw_type_over_available_keep_that_range_out()
    {
        using SimulatedPc pc = Boot(E(0, 0x9FC00), E(0x100000, 0x3F00000), E(0x1000000, 0x100000, 20));
        var free = PmmAssert.Free(pc.Pmm, FrameRegion.Low);
        Assert.DoesNotContain(free, f => f.Start < 0x1100000 && 0x1000000 < f.Start + f.Frames * 4096);
        Assert.Contains(pc.Map, e => e.Base == 0x1000000 && e.Kind == MemoryType.Reserved);
        PmmAssert.Intact(pc.Pmm);
    }

    [Fact]
    public void Unsorted_zero_length_and_wrapping_entries_boot_and_are_counted()
    {
        using SimulatedPc pc = Boot(E(0x100000, 0x7F00000), E(0x50000000, 0), E(0xFFFFFFFFFFFF0000, 0x20000), E(0, 0x9FC00));
        Assert.Equal(1, pc.SanitizeReport.DroppedEmpty);
        Assert.Equal(1, pc.SanitizeReport.DroppedWrapping);
        Assert.Equal(0x100000ul, pc.Map[1].Base);
        PmmAssert.Intact(pc.Pmm);
    }

    [Fact]
    public void An_entirely_reserved_map_refuses_to_boot_but_still_reports_the_firmware()
    {
        using SimulatedPc pc = SimulatedPc.Start(WithMap(E(0, 0x10000000, Reserved)));
        Assert.Equal(PmmInitStatus.NoUsableLowMemory, pc.PmmResult.Status);
        Assert.Equal(0ul, pc.Firmware.UsableFramesBelow4G);
        var e = Assert.Throws<BootFailedException>(() => SimulatedPc.Boot(WithMap(E(0, 0x10000000, Reserved))));
        Assert.Contains("no usable low memory", e.Message);
    }

    [Fact]
    public void Only_high_memory_refuses_to_boot_the_kernel_layout()
    {
        using SimulatedPc pc = SimulatedPc.Start(WithMap(E(0, 0x9FC00), E(0x100000000, 0x40000000)));
        Assert.Equal(PmmInitStatus.NoUsableLowMemory, pc.PmmResult.Status);
        Assert.Equal(0x40000ul, pc.Firmware.UsableFramesAbove4G);
    }

    [Fact]
    public void Low_memory_that_ends_inside_the_heap_area_names_where_it_ends()
    {
        using SimulatedPc pc = SimulatedPc.Start(WithMap(E(0, 0x9FC00), E(0x100000, 0x300000)));
        Assert.Equal(PmmInitStatus.NoUsableLowMemory, pc.PmmResult.Status);
        Assert.Equal(0x400000ul, pc.PmmResult.Address);
    }

    [Fact]
    public void A_4_KiB_island_becomes_a_one_frame_extent()
    {
        using SimulatedPc pc = Boot(E(0, 0x9FC00), E(0x100000, 0x7F00000), E(0x9000000, 0x1000), E(0x9001000, 0x1000, Reserved));
        Assert.Contains((0x9000000ul, 1ul), PmmAssert.Free(pc.Pmm, FrameRegion.Low));
        // First fit for one frame still takes the lowest free frame, not the island.
        pc.Pmm.AllocFrame(1, out PhysicalAddress a);
        Assert.True(a.Value < 0x9000000);
        PmmAssert.Intact(pc.Pmm);
    }

    [Fact]
    public void Unaligned_boundaries_lose_only_the_partial_frames()
    {
        using SimulatedPc pc = Boot(E(0, 0x9FC00), E(0x100000, 0x6000123), E(0x6100123, 0x200, 4), E(0x6100323, 0x1EFFCDD));
        var free = PmmAssert.Free(pc.Pmm, FrameRegion.Low);
        Assert.Contains(free, f => f.Start + f.Frames * 4096 == 0x6100000);
        Assert.Contains(free, f => f.Start == 0x6101000);
        PmmAssert.Intact(pc.Pmm);
    }

    [Fact]
    public void Boot_info_inside_the_heap_area_is_refused_loudly_not_overwritten()
    {
        // A kernel image that ends at 0x1FF000 makes the loader put its info block inside the heap (0x200000+).
        var config = MachineConfig.Default with { Layout = new KernelLayout(0x100000, 0x1FFF00), Modules = [new BootModuleImage(new byte[5000], "big")] };
        var e = Assert.Throws<BootFailedException>(() => SimulatedPc.Boot(config));
        Assert.Contains("inside the heap", e.Message);
    }

    [Fact]
    public void A_kernel_image_that_reaches_the_heap_is_refused()
    {
        var config = MachineConfig.Default with { Layout = new KernelLayout(0x100000, 0x200001) };
        using SimulatedPc pc = SimulatedPc.Start(config with { Protocol = BootProtocol.Multiboot1 });
        Assert.Equal(PmmInitStatus.KernelOverlapsHeap, pc.PmmResult.Status);
    }

    [Fact]
    public void Modules_and_boot_info_after_the_kernel_are_reserved_with_both_protocols()
    {
        foreach (BootProtocol protocol in new[] { BootProtocol.Multiboot1, BootProtocol.Multiboot2 })
        {
            var config = MachineConfig.Default with
            {
                Protocol = protocol,
                CommandLine = "console=ttyS0",
                Modules = [new BootModuleImage(new byte[10000], "initrd"), new BootModuleImage([1, 2, 3], "tiny")],
            };
            using SimulatedPc pc = SimulatedPc.Boot(config);
            Assert.Equal(2, pc.Modules.Count);
            var free = PmmAssert.Free(pc.Pmm, FrameRegion.Low);
            foreach (ReservedRange r in pc.BootRegions)
                Assert.DoesNotContain(free, f => f.Start < r.Base + r.Length && r.Base < f.Start + f.Frames * 4096);
            Assert.Equal("console=ttyS0", pc.ReadString(pc.BootInfo.CommandLine, pc.BootInfo.CommandLineLength).Replace("kernel.bin ", "", StringComparison.Ordinal));
            PmmAssert.Intact(pc.Pmm);
        }
    }

    [Fact]
    public void A_server_map_beyond_the_metadata_budget_tracks_what_it_can_and_says_so()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemoryMapFile(Support.TestData.MemoryMap("12-supermicro-h13dsg-epyc-1.5tib.txt")));
        PmmStats s = pc.Pmm.Stats;
        Assert.True(s.UsableFramesHigh > 0);
        Assert.True(s.UntrackedFramesHigh > 0);
        Assert.Equal(s.FirmwareFramesHigh, s.UsableFramesHigh + s.UntrackedFramesHigh);
        Assert.True(s.MetadataLength <= s.FirmwareFramesLow * 4096 / 8);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrames(1024, FrameRegion.High, 1024, out PhysicalAddress a));
        Assert.Equal(1ul << 32, a.Value);
    }
}
