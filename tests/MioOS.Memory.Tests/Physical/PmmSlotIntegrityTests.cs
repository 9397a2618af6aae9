using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Physical;

/// <summary>
/// The frame slots (one record per managed frame: an extent's head at its first frame, a free extent's tail at its
/// last) are what a free trusts to find its allocation and its neighbours, so the integrity walk must see every way
/// they can go wrong: a stale mark left inside an extent, a tail that names the wrong extent, a tree node that is not
/// the slot of its extent's first frame. Each damage is laid by hand on a PMM that was intact.
/// </summary>
public unsafe class PmmSlotIntegrityTests
{
    /// <summary>A PMM with a free hole of 4 frames between two allocations, and the hole's start.</summary>
    private static (SimulatedPc Pc, uint HoleFrame) WithAHole()
    {
        SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(2, out _));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(4, out PhysicalAddress hole));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(2, out _));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(hole));
        PmmAssert.Intact(pc.Pmm);
        return (pc, (uint)hole.FrameNumber);
    }

    private static ExtentRecord* Slot(SimulatedPc pc, uint frame)
    {
        PhysicalMemoryManager pmm = pc.Pmm;
        uint slot = pmm.SlotOf(frame);
        Assert.NotEqual(0u, slot);
        return pmm.Store.Record(slot);
    }

    [Fact]
    public void The_hole_is_marked_at_its_first_and_last_frame_only()
    {
        var (pc, hole) = WithAHole();
        using (pc)
        {
            ExtentRecord* head = Slot(pc, hole), tail = Slot(pc, hole + 3);
            Assert.Equal((uint)ExtentFlags.Head, head->Flags);
            Assert.Equal((hole, 4u), (head->Start, head->Length));
            Assert.Equal((uint)ExtentFlags.Tail, tail->Flags);
            Assert.Equal((hole, 4u), (tail->Start, tail->Length));
            Assert.Equal(0u, Slot(pc, hole + 1)->Flags);
            Assert.Equal(0u, Slot(pc, hole + 2)->Flags);
        }
    }

    [Fact]
    public void A_stale_allocation_head_inside_a_free_extent_is_a_count_mismatch()
    {
        // What a forgotten clear would leave (the mark, and the count that went up when it was made): a free of
        // hole + 1 would then be taken for a live allocation. The walk visits heads and tails only, so it is the count
        // of marked slots that gives it away.
        var (pc, hole) = WithAHole();
        using (pc)
        {
            ExtentRecord* stale = Slot(pc, hole + 1);
            stale->Start = hole + 1;
            stale->Length = 1;
            stale->Flags = (uint)(ExtentFlags.Head | ExtentFlags.Allocated);
            pc.Window.At<PmmState>(pc.Pmm.StateAddress, MemoryAccess.Write)->RecordsInUse++;
            Assert.Equal(PmmIntegrityStatus.CountMismatch, pc.Pmm.CheckIntegrity().Status);
        }
    }

    [Fact]
    public void A_tail_that_names_another_start_is_a_broken_index()
    {
        var (pc, hole) = WithAHole();
        using (pc)
        {
            Slot(pc, hole + 3)->Start = hole + 1;
            PmmIntegrity verdict = pc.Pmm.CheckIntegrity();
            Assert.Equal(PmmIntegrityStatus.BrokenTree, verdict.Status);
            Assert.Equal((ulong)hole << Frames.Shift, verdict.Address);
        }
    }

    [Fact]
    public void A_lost_tail_is_a_broken_index()
    {
        var (pc, hole) = WithAHole();
        using (pc)
        {
            *Slot(pc, hole + 3) = default;
            Assert.Equal(PmmIntegrityStatus.BrokenTree, pc.Pmm.CheckIntegrity().Status);
        }
    }

    [Fact]
    public void A_head_whose_start_is_not_its_slots_frame_is_a_broken_index()
    {
        // The node is in the tree, but its record says it starts a frame later: its slot is not that frame's.
        var (pc, hole) = WithAHole();
        using (pc)
        {
            ExtentRecord* head = Slot(pc, hole);
            head->Start = hole + 1;
            head->Length = 3;
            Assert.Equal(PmmIntegrityStatus.BrokenTree, pc.Pmm.CheckIntegrity().Status);
        }
    }

    [Fact]
    public void A_first_fit_hint_that_names_a_higher_extent_is_a_broken_index()
    {
        // The hole (4 frames) is the lowest fit for 4: a hint naming the free memory above it would hand that out.
        var (pc, hole) = WithAHole();
        using (pc)
        {
            Assert.True(pc.Pmm.CheckIntegrity().IsOk);
            ulong above = PmmAssert.Free(pc.Pmm, FrameRegion.Low).First(e => e.Start > (ulong)hole << Frames.Shift).Start;
            PmmState* s = pc.Window.At<PmmState>(pc.Pmm.StateAddress, MemoryAccess.Write);
            s->FitHints[4 - 1] = pc.Pmm.SlotOf((uint)(above >> Frames.Shift));
            Assert.Equal(PmmIntegrityStatus.BrokenTree, pc.Pmm.CheckIntegrity().Status);
            s->FitHints[4 - 1] = pc.Pmm.SlotOf(hole);
            Assert.True(pc.Pmm.CheckIntegrity().IsOk);
        }
    }

    [Fact]
    public void Merges_on_both_sides_leave_only_the_merged_extents_marks()
    {
        // Free the walls around the hole: the three runs and the free memory above merge into one extent, and the
        // slots of the hole and of the walls go back to zero (the integrity walk counts every marked slot).
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(2, out PhysicalAddress left));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(4, out PhysicalAddress hole));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(2, out PhysicalAddress right));
        uint marked = pc.Pmm.Stats.RecordsInUse;
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(hole));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(right));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(left));
        PmmAssert.Intact(pc.Pmm);
        uint first = (uint)left.FrameNumber;
        for (uint f = first + 1; f < first + 8; f++)
            Assert.Equal(0u, Slot(pc, f)->Flags);
        Assert.Equal(marked - 3, pc.Pmm.Stats.RecordsInUse); // three allocation heads gone, the free extent's marks as before
    }
}
