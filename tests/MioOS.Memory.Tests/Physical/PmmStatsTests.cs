using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Physical;

/// <summary>The PMM's used-frame figure is the frames in live allocations, low and high memory together.</summary>
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
}
