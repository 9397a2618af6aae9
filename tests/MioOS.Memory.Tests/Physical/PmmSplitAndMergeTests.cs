using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Physical;

/// <summary>
/// Each way a free extent is cut by an allocation and each way a freed run merges with its neighbours (spec: the PMM
/// "merges adjacent free blocks and splits larger blocks"), on a PMM with every frame handed out one at a time, so the
/// extent under test is the only free one. After each, the free list is what the rules give and the trees are whole
/// (the integrity walk checks every node's subtree maximum, which first fit relies on).
/// </summary>
public sealed class PmmSplitAndMergeTests : IDisposable
{
    private readonly SimulatedPc _pc = SimulatedPc.Boot(MachineConfig.ForMemorySize(32ul << 20));
    private readonly List<ulong> _taken = [];

    public PmmSplitAndMergeTests()
    {
        while (_pc.Pmm.AllocFrame(1, out PhysicalAddress a) == PmmStatus.Ok)
            _taken.Add(a.Value);
        Assert.Empty(PmmAssert.Free(_pc.Pmm, FrameRegion.Low));
    }

    public void Dispose() => _pc.Dispose();

    /// <summary>The first frame of five frames in a row that were handed out one at a time, starting at an odd frame.</summary>
    private ulong OddRunOfFive()
    {
        for (int i = 0; i + 4 < _taken.Count; i++)
        {
            if ((_taken[i] >> Frames.Shift) % 2 == 1 && _taken[i + 4] == _taken[i] + 4 * Frames.Size)
                return _taken[i];
        }
        throw new InvalidOperationException("no five frames in a row");
    }

    private void Free(ulong address) => Assert.Equal(PmmStatus.Ok, _pc.Pmm.FreeFrame(new PhysicalAddress(address)));

    private List<(ulong Start, ulong Frames)> FreeList() => PmmAssert.Free(_pc.Pmm, FrameRegion.Low);

    [Fact]
    public void An_aligned_run_at_the_end_of_an_extent_leaves_its_lead_free()
    {
        ulong a = OddRunOfFive();
        for (int i = 0; i < 5; i++)
            Free(a + (ulong)i * Frames.Size);
        Assert.Equal([(a, 5UL)], FreeList());
        // Two-frame alignment: the run starts one frame in and ends where the extent does.
        Assert.Equal(PmmStatus.Ok, _pc.Pmm.AllocFrames(4, FrameRegion.Low, 2, out PhysicalAddress run));
        Assert.Equal(a + Frames.Size, run.Value);
        Assert.Equal([(a, 1UL)], FreeList());
        PmmAssert.Intact(_pc.Pmm);
    }

    [Fact]
    public void An_aligned_run_inside_an_extent_splits_it_in_three()
    {
        ulong a = OddRunOfFive();
        for (int i = 0; i < 5; i++)
            Free(a + (ulong)i * Frames.Size);
        Assert.Equal(PmmStatus.Ok, _pc.Pmm.AllocFrames(2, FrameRegion.Low, 2, out PhysicalAddress run));
        Assert.Equal(a + Frames.Size, run.Value);
        Assert.Equal([(a, 1UL), (a + 3 * Frames.Size, 2UL)], FreeList());
        PmmAssert.Intact(_pc.Pmm);
    }

    [Fact]
    public void A_run_at_the_start_of_an_extent_leaves_its_tail_free()
    {
        ulong a = OddRunOfFive();
        for (int i = 0; i < 5; i++)
            Free(a + (ulong)i * Frames.Size);
        Assert.Equal(PmmStatus.Ok, _pc.Pmm.AllocFrame(2, out PhysicalAddress run));
        Assert.Equal(a, run.Value);
        Assert.Equal([(a + 2 * Frames.Size, 3UL)], FreeList());
        PmmAssert.Intact(_pc.Pmm);
    }

    [Fact]
    public void A_freed_frame_after_a_free_one_joins_it()
    {
        ulong a = OddRunOfFive();
        Free(a);
        Free(a + Frames.Size);
        Assert.Equal([(a, 2UL)], FreeList());
        PmmAssert.Intact(_pc.Pmm);
    }

    [Fact]
    public void A_freed_frame_before_a_free_one_joins_it()
    {
        ulong a = OddRunOfFive();
        Free(a + Frames.Size);
        Free(a);
        Assert.Equal([(a, 2UL)], FreeList());
        PmmAssert.Intact(_pc.Pmm);
    }

    [Fact]
    public void A_freed_frame_between_two_free_ones_joins_both_into_one_extent()
    {
        ulong a = OddRunOfFive();
        Free(a);
        Free(a + 2 * Frames.Size);
        Assert.Equal([(a, 1UL), (a + 2 * Frames.Size, 1UL)], FreeList());
        Free(a + Frames.Size);
        Assert.Equal([(a, 3UL)], FreeList());
        Assert.Equal(1u, _pc.Pmm.Stats.FreeExtents);
        PmmAssert.Intact(_pc.Pmm);
    }

    [Fact]
    public void A_freed_frame_with_no_free_neighbour_is_an_extent_of_its_own()
    {
        ulong a = OddRunOfFive();
        Free(a + Frames.Size);
        Free(a + 3 * Frames.Size);
        Assert.Equal([(a + Frames.Size, 1UL), (a + 3 * Frames.Size, 1UL)], FreeList());
        Assert.Equal(2u, _pc.Pmm.Stats.FreeExtents);
        PmmAssert.Intact(_pc.Pmm);
    }
}
