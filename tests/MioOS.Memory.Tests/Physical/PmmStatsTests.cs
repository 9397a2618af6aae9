using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using static MioOS.Memory.Tests.Support.Machines;

namespace MioOS.Memory.Tests.Physical;

/// <summary>The PMM's figures: used frames are the frames in live allocations, low and high memory together;
/// reserved frames the available ones it never hands out; free extents those of both regions.</summary>
public class PmmStatsTests
{
    [Fact]
    public void Used_frames_count_live_allocations_in_both_regions()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemorySize(5ul << 30)); // 2 GiB of it above 4 GiB
        Assert.NotEqual(0ul, pc.Pmm.Stats.FreeFramesHigh);
        Assert.Equal(0ul, pc.Pmm.Stats.UsedFrames);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(3, out PhysicalAddress low));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrames(2, FrameRegion.High, 1, out PhysicalAddress high));
        Assert.True(high.Value >= AddressLimits.FourGiB);
        PmmStats s = pc.Pmm.Stats;
        Assert.Equal((5ul, 2u), (s.UsedFrames, s.Allocations));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(high));
        Assert.Equal(3ul, pc.Pmm.Stats.UsedFrames);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(low));
        Assert.Equal(0ul, pc.Pmm.Stats.UsedFrames);
    }

    [Fact]
    public void Reserved_frames_are_the_available_frames_below_4_GiB_the_pmm_never_hands_out()
    {
        // Available: 640 KiB at 0 (159 whole frames), 1 MiB to 17 MiB (4,096 frames) and 1 GiB at 4 GiB (262,144
        // frames), of which the budget of an eighth of low memory tracks 61,311 (PmmMetadataSizingTests) and leaves
        // 200,833 untracked: those are counted apart, not as reserved. Reserved: the 159 frames below the kernel, the
        // kernel image [1 MiB, 1.5 MiB) 128, the heap [2 MiB, 5 MiB) 768, the metadata [5 MiB, 7 MiB) 512: 1,567.
        // Managed low: 4,096 - 128 - 768 - 512 = 2,688.
        using var m = new HandBuiltPmm(new KernelLayout(0x100000, 0x180000), [E(0, 0x9FC00), E(0x100000, 16ul << 20), E(1ul << 32, 1ul << 30)]);
        Assert.True(m.Result.IsOk);
        PmmStats s = m.Pmm.Stats;
        Assert.Equal((4255ul, 262144ul), (s.FirmwareFramesLow, s.FirmwareFramesHigh));
        Assert.Equal((2688ul, 61311ul, 200833ul), (s.UsableFramesLow, s.UsableFramesHigh, s.UntrackedFramesHigh));
        Assert.Equal(1567ul, s.ReservedFrames);
    }

    [Fact]
    public void Free_extents_count_the_high_regions_splits_and_merges()
    {
        // Low memory keeps its two free extents throughout: [1.5 MiB, 2 MiB) and [7 MiB, 17 MiB) (the metadata is
        // [5 MiB, 7 MiB), as above). High memory starts as one extent at 4 GiB; F is its first frame.
        const ulong f = 1ul << 32, frame = Frames.Size;
        using var m = new HandBuiltPmm(new KernelLayout(0x100000, 0x180000), [E(0, 0x9FC00), E(0x100000, 16ul << 20), E(f, 1ul << 30)]);
        PhysicalMemoryManager pmm = m.Pmm;
        uint Extents() => pmm.Stats.FreeExtents;
        Assert.Equal(2u + 1, Extents());
        Assert.Equal(PmmStatus.Ok, pmm.AllocFrames(1, FrameRegion.High, 1, out PhysicalAddress p)); // F: the extent's front
        Assert.Equal(2u + 1, Extents());
        Assert.Equal(PmmStatus.Ok, pmm.AllocFrames(1, FrameRegion.High, 4, out PhysicalAddress q)); // F+4: [F+1, F+4) left before it
        Assert.Equal((f, f + 4 * frame), (p.Value, q.Value));
        Assert.Equal(2u + 2, Extents());
        Assert.Equal(PmmStatus.Ok, pmm.AllocFrames(3, FrameRegion.High, 1, out PhysicalAddress r)); // [F+1, F+4) whole
        Assert.Equal(f + frame, r.Value);
        Assert.Equal(2u + 1, Extents());
        Assert.Equal(PmmStatus.Ok, pmm.FreeFrame(r));                                            // between two allocations
        Assert.Equal(2u + 2, Extents());
        Assert.Equal(PmmStatus.Ok, pmm.FreeFrame(q));                                            // joins both sides
        Assert.Equal(2u + 1, Extents());
        Assert.Equal(PmmStatus.Ok, pmm.FreeFrame(p));                                            // joins the one after
        Assert.Equal(2u + 1, Extents());
        Assert.Equal([(f, 262144ul - 200833)], PmmAssert.Free(pmm, FrameRegion.High));
        PmmAssert.Intact(pmm);
    }
}
