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

    [Fact]
    public void Large_holes_a_little_too_short_are_passed_over_for_the_first_that_fits()
    {
        // Holes of 1,100 and 1,110 frames, then one of 1,200: a request for 1,150 frames fits only the last (and not
        // the free memory above it). The three lengths are within an eighth of each other, as big requests' neighbours
        // in a fragmented PMM are.
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        var holes = new List<PhysicalAddress>();
        foreach (uint frames in new uint[] { 1100, 1110, 1200 })
        {
            Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(frames, out PhysicalAddress hole));
            // A wall after each hole (too big for the small extent below the heap, so it lands right after the hole).
            Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(256, out PhysicalAddress wall));
            Assert.Equal(hole.Value + frames * 4096ul, wall.Value);
            holes.Add(hole);
        }
        Assert.True(holes[0].Value < holes[1].Value && holes[1].Value < holes[2].Value);
        foreach (PhysicalAddress hole in holes)
            Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(hole));

        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(1150, out PhysicalAddress got));
        Assert.Equal(holes[2].Value, got.Value);
        // And one that the first hole holds exactly goes there.
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(1100, out PhysicalAddress exact));
        Assert.Equal(holes[0].Value, exact.Value);
        PmmAssert.Intact(pc.Pmm);
    }
}
