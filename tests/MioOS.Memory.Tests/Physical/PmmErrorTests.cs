using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Physical;

/// <summary>Bad calls are results, are counted, and change nothing.</summary>
public class PmmErrorTests
{
    private static void Unchanged(SimulatedPc pc, Func<PmmStatus> call, PmmStatus expected)
    {
        var free = PmmAssert.Free(pc.Pmm, FrameRegion.Low);
        var allocations = PmmAssert.Allocations(pc.Pmm);
        Assert.Equal(expected, call());
        Assert.Equal(free, PmmAssert.Free(pc.Pmm, FrameRegion.Low));
        Assert.Equal(allocations, PmmAssert.Allocations(pc.Pmm));
        PmmAssert.Intact(pc.Pmm);
    }

    [Fact]
    public void Zero_frames_too_many_frames_and_bad_alignment_are_refused_and_counted()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        Unchanged(pc, () => pc.Pmm.AllocFrame(0, out _), PmmStatus.ZeroFrames);
        Unchanged(pc, () => pc.Pmm.AllocFrame(uint.MaxValue, out _), PmmStatus.OutOfMemory);
        Unchanged(pc, () => pc.Pmm.AllocFrames(4, FrameRegion.Low, 3, out _), PmmStatus.BadAlignment);
        Unchanged(pc, () => pc.Pmm.AllocFrames(1, FrameRegion.High, 1, out _), PmmStatus.OutOfMemory);
        PmmStats s = pc.Pmm.Stats;
        Assert.Equal(4ul, s.FailedAllocations);
        Assert.Equal(1ul, s.ZeroFrameRequests);
    }

    [Fact]
    public void Enough_free_frames_but_no_contiguous_run_is_its_own_verdict()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemorySize(32ul << 20));
        var taken = new List<ulong>();
        while (pc.Pmm.AllocFrame(1, out PhysicalAddress a) == PmmStatus.Ok)
            taken.Add(a.Value);
        for (int i = 0; i < taken.Count; i += 2)
            pc.Pmm.FreeFrame(new PhysicalAddress(taken[i]));
        Unchanged(pc, () => pc.Pmm.AllocFrame(2, out _), PmmStatus.NoContiguousRun);
    }

    [Fact]
    public void Double_interior_foreign_and_misaligned_frees_are_refused_and_counted()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(4, out PhysicalAddress a));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(1, out PhysicalAddress b));
        Unchanged(pc, () => pc.Pmm.FreeFrame(new PhysicalAddress(a.Value + 0x1000)), PmmStatus.NotAllocationStart);
        Unchanged(pc, () => pc.Pmm.FreeFrame(new PhysicalAddress(a.Value + 0x10)), PmmStatus.Misaligned);
        Unchanged(pc, () => pc.Pmm.FreeFrame(new PhysicalAddress(0x200000)), PmmStatus.ReservedMemory); // the heap
        Unchanged(pc, () => pc.Pmm.FreeFrame(new PhysicalAddress(pc.Pmm.Stats.MetadataBase)), PmmStatus.ReservedMemory);
        Unchanged(pc, () => pc.Pmm.FreeFrame(new PhysicalAddress(0x1000)), PmmStatus.NotAllocated);   // low 1 MiB
        Unchanged(pc, () => pc.Pmm.FreeFrame(new PhysicalAddress(1ul << 40)), PmmStatus.NotAllocated);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(a));
        Unchanged(pc, () => pc.Pmm.FreeFrame(a), PmmStatus.AlreadyFree);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(b));
        PmmStats s = pc.Pmm.Stats;
        Assert.Equal(7ul, s.BadFrees);
        Assert.Equal(1ul, s.DoubleFrees);
        Assert.Equal(0ul, s.UsedFrames);
    }

    [Fact]
    public void Free_returns_the_whole_allocation_and_merges_with_both_neighbours()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        var initial = PmmAssert.Free(pc.Pmm, FrameRegion.Low);
        pc.Pmm.AllocFrame(3, out PhysicalAddress a);
        pc.Pmm.AllocFrame(5, out PhysicalAddress b);
        pc.Pmm.AllocFrame(2, out PhysicalAddress c);
        Assert.Equal(a.Value + 3 * 4096, b.Value);
        Assert.Equal(5u, pc.Pmm.AllocationLength(b));
        pc.Pmm.FreeFrame(a);
        pc.Pmm.FreeFrame(c);
        int extentsBefore = PmmAssert.Free(pc.Pmm, FrameRegion.Low).Count;
        pc.Pmm.FreeFrame(b); // joins a's hole and c's hole into one
        Assert.Equal(initial, PmmAssert.Free(pc.Pmm, FrameRegion.Low));
        Assert.True(PmmAssert.Free(pc.Pmm, FrameRegion.Low).Count < extentsBefore);
    }

    [Fact]
    public void A_4_MiB_aligned_run_is_the_lowest_aligned_one()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrames(1024, FrameRegion.Low, 1024, out PhysicalAddress a));
        Assert.Equal(0ul, a.Value % (4ul << 20));
        ulong metadataEnd = pc.Pmm.Stats.MetadataBase + pc.Pmm.Stats.MetadataLength;
        Assert.Equal((metadataEnd + (4ul << 20) - 1) / (4ul << 20) * (4ul << 20), a.Value);
        // The frames before it stay free, in the leading fragment.
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(1, out PhysicalAddress b));
        Assert.True(b.Value < a.Value);
        PmmAssert.Intact(pc.Pmm);
    }

    [Fact]
    public void High_memory_is_handed_out_only_when_asked_for()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemorySize(5ul << 30));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrames(1024, FrameRegion.High, 1024, out PhysicalAddress high));
        Assert.Equal(1ul << 32, high.Value);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(1, out PhysicalAddress low));
        Assert.True(low.Value < 1ul << 32);
        var mapper = default(NoFrameMapper);
        Assert.Equal(PmmStatus.NotIdentityMappable, pc.Pmm.AllocFrames(1, FrameRegion.High, 1, true, ref mapper, out _));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(high));
        PmmAssert.Intact(pc.Pmm);
    }

    [Fact]
    public void A_free_of_free_memory_that_was_never_handed_out_is_not_called_a_double_free()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(1, out PhysicalAddress a));
        var never = new PhysicalAddress(a.Value + 0x10000); // free memory, above everything handed out
        Unchanged(pc, () => pc.Pmm.FreeFrame(never), PmmStatus.NotAllocated);
        Assert.Equal(0ul, pc.Pmm.Stats.DoubleFrees);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(a));
        Unchanged(pc, () => pc.Pmm.FreeFrame(a), PmmStatus.AlreadyFree);
        Assert.Equal(1ul, pc.Pmm.Stats.DoubleFrees);
    }

    [Fact]
    public void A_double_free_is_told_only_while_the_free_is_remembered()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        var runs = new PhysicalAddress[PhysicalMemoryManager.RecentFreeCapacity + 1];
        for (int i = 0; i < runs.Length; i++)
            Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(1, out runs[i]));
        foreach (PhysicalAddress r in runs)
            Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(r));
        // The first free has left the ring: the PMM cannot tell it from a stray free any more, and says so.
        Unchanged(pc, () => pc.Pmm.FreeFrame(runs[0]), PmmStatus.NotAllocated);
        Unchanged(pc, () => pc.Pmm.FreeFrame(runs[^1]), PmmStatus.AlreadyFree);
    }

    [Fact]
    public void Frames_the_VMM_or_the_heap_hold_are_refused_to_the_caller_and_given_back_by_their_owner()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        var none = default(NoFrameMapper);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrames(1, FrameRegion.Low, 1, false, FrameOwner.PageTables, ref none, out PhysicalAddress table));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrames(2, FrameRegion.Low, 1, false, FrameOwner.HeapSegments, ref none, out PhysicalAddress segment));
        Unchanged(pc, () => pc.Pmm.FreeFrame(table), PmmStatus.NotOwner);
        Unchanged(pc, () => pc.Pmm.FreeFrame(segment), PmmStatus.NotOwner);
        Unchanged(pc, () => pc.Pmm.FreeFrame(segment, FrameOwner.PageTables, ref none), PmmStatus.NotOwner);
        Assert.True(pc.Pmm.AllocationOwner(table, out FrameOwner owner));
        Assert.Equal(FrameOwner.PageTables, owner);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(table, FrameOwner.PageTables, ref none));
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(segment, FrameOwner.HeapSegments, ref none));
        Assert.Equal(0ul, pc.Pmm.Stats.UsedFrames);
        PmmAssert.Intact(pc.Pmm);
    }

    [Fact]
    public void Identity_mapping_without_a_VMM_is_refused_and_takes_nothing()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        var none = default(NoFrameMapper);
        Unchanged(pc, () => pc.Pmm.AllocFrame(1, true, ref none, out _), PmmStatus.NoMapper);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(1, false, ref none, out _));
    }

    private struct RefusingMapper : IFrameMapper
    {
        public int Maps, Unmaps;

        public readonly bool IsAttached => true;

        public bool MapIdentity(PhysicalAddress start, ulong length)
        {
            Maps++;
            return false;
        }

        public void UnmapIdentity(PhysicalAddress start, ulong length) => Unmaps++;
    }

    private struct CountingMapper : IFrameMapper
    {
        public List<(ulong, ulong)> Mapped;

        public readonly bool IsAttached => true;

        public bool MapIdentity(PhysicalAddress start, ulong length)
        {
            Mapped.Add((start.Value, length));
            return true;
        }

        public void UnmapIdentity(PhysicalAddress start, ulong length) => Mapped.Remove((start.Value, length));
    }

    [Fact]
    public void Identity_map_flag_goes_through_the_mapper_and_a_refusal_gives_the_frames_back()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        var refusing = new RefusingMapper();
        Unchanged(pc, () => pc.Pmm.AllocFrame(2, true, ref refusing, out _), PmmStatus.MappingFailed);
        Assert.Equal(1, refusing.Maps);

        var counting = new CountingMapper { Mapped = [] };
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(2, true, ref counting, out PhysicalAddress a));
        Assert.Equal([(a.Value, 0x2000ul)], counting.Mapped);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrame(1, false, ref counting, out _));
        Assert.Single(counting.Mapped);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(a, ref counting));
        Assert.Empty(counting.Mapped);
    }
}
