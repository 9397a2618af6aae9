using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Physical;

/// <summary>Spec section 1, first fit: the lowest-addressed free run that holds the request, even when a larger
/// one follows it.</summary>
public class PmmFirstFitTests
{
    /// <summary>Where the lowest free low frame is, by the model's reading of the firmware map (the extent there
    /// is far bigger than these tests take).</summary>
    private static ulong LowestFree(SimulatedPc pc)
    {
        var (start, frames) = new PmmModel(PmmSeed.Of(pc)).Free(FrameRegion.Low)[0];
        Assert.True(frames >= 16);
        return start;
    }

    [Fact]
    public void A_freed_hole_low_down_is_taken_before_the_free_memory_above_it()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        ulong lowest = LowestFree(pc);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(8, out PhysicalAddress a));
        Assert.Equal(lowest, a.Value);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(1, out PhysicalAddress wall));
        Assert.Equal(a.Value + 8 * 4096, wall.Value); // nothing free between them
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(a));

        // The hole of 8 frames at a and the big free extent above the wall both fit 5 frames: the hole wins,
        // and what is left of it (3 frames) still wins for 3.
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(5, out PhysicalAddress first));
        Assert.Equal(a.Value, first.Value);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(3, out PhysicalAddress second));
        Assert.Equal(a.Value + 5 * 4096, second.Value);
        // The hole is used up: the next one comes from above the wall.
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(1, out PhysicalAddress third));
        Assert.Equal(wall.Value + 4096, third.Value);
        PmmAssert.Intact(pc.Pmm);
    }

    [Fact]
    public void A_hole_too_small_is_passed_over_for_the_first_that_fits()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        ulong lowest = LowestFree(pc);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(2, out PhysicalAddress small));
        Assert.Equal(lowest, small.Value);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(1, out PhysicalAddress wall1));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(6, out PhysicalAddress medium));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(1, out PhysicalAddress wall2));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(small));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(medium));

        // 4 frames: the 2-frame hole is too small, the 6-frame hole is the first fit, not the memory above wall2.
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(4, out PhysicalAddress got));
        Assert.Equal(medium.Value, got.Value);
        Assert.True(wall1.Value < medium.Value && medium.Value < wall2.Value);
        PmmAssert.Intact(pc.Pmm);
    }
}
