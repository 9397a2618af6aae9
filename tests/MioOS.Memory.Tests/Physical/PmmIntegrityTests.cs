using MioOS.Memory.Boot;
using MioOS.Memory.Collections;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using static MioOS.Memory.Tests.Support.Machines;

namespace MioOS.Memory.Tests.Physical;

/// <summary>
/// The integrity walk (<see cref="PhysicalMemoryManager.CheckIntegrity"/>) refuses each kind of damage it names, with
/// the status its contract gives that kind. Every test starts from one sound PMM and lays exactly one piece of damage
/// by hand (as <c>TreeValidationTests</c> does for the tree); where a damage would also upset a check the walk makes
/// earlier, that side effect is repaired by hand, so the refusal can come only from the check under test. The
/// frame-slot checks the walk shares with <c>PmmSlotIntegrityTests</c> (a lost tail, a tail naming another start, a
/// head that is not its frame's slot, a stale mark, a low-region hint) are tested there.
/// </summary>
public unsafe class PmmIntegrityTests
{
    // The machine, worked out by hand: 640 KiB of base memory, RAM from 1 MiB to 32 MiB, 16 MiB at 4 GiB; the kernel
    // image from 1 MiB to 1.5 MiB, so the heap (spec section 3) is [2 MiB, 5 MiB) and the metadata follows it at
    // 5 MiB. Its size: one page for the control block, the map copy (3 entries), the reserved list (3 ranges) and
    // the spans; then one 32-byte slot per low frame from the kernel base to 32 MiB (7,936) plus one, and one per
    // high frame (4,096; the budget of 1/8 of 31 MiB of low memory covers them): 12,033 slots, 385,056 bytes, 95 pages.
    // 96 pages in all: the metadata ends at 0x560000.
    private const ulong A = 0x180000, Hole = 0x182000, C = 0x186000, Rest = 0x188000, AboveMetadata = 0x560000;
    private const ulong LowTop = 0x2000000, High = 1ul << 32;

    private static MemoryMapEntry[] Map => [E(0, 0x9FC00), E(0x100000, LowTop - 0x100000), E(High, 16ul << 20)];

    /// <summary>The machine above with allocations A (2 frames) and C (2 frames) at the start of the gap between the
    /// kernel and the heap, and the 4 frames between them freed: a free hole with both neighbours allocated.</summary>
    private static HandBuiltPmm WithAHole()
    {
        var m = new HandBuiltPmm(new KernelLayout(0x100000, 0x180000), Map);
        Assert.True(m.Result.IsOk, m.Result.Status.ToString());
        Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrame(2, out PhysicalAddress a));
        Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrame(4, out PhysicalAddress hole));
        Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrame(2, out PhysicalAddress c));
        Assert.Equal(PmmStatus.Ok, m.Pmm.FreeFrame(hole));
        Assert.Equal((A, Hole, C), (a.Value, hole.Value, c.Value));
        return m;
    }

    private static PmmIntegrity Walk(HandBuiltPmm m) => m.Pmm.CheckIntegrity();

    private static void Refused(HandBuiltPmm m, PmmIntegrityStatus status, ulong address)
    {
        PmmIntegrity verdict = Walk(m);
        Assert.Equal((status, address), (verdict.Status, verdict.Address));
    }

    private static uint FrameOf(ulong address) => (uint)(address >> Frames.Shift);

    [Fact]
    public void The_undamaged_pmm_is_laid_out_as_worked_out_by_hand_and_passes()
    {
        using HandBuiltPmm m = WithAHole();
        Assert.Equal([(Hole, 4ul), (Rest, 120ul), (AboveMetadata, (LowTop - AboveMetadata) >> 12)], PmmAssert.Free(m.Pmm, FrameRegion.Low));
        Assert.Equal([(High, 4096ul)], PmmAssert.Free(m.Pmm, FrameRegion.High));
        Assert.Equal([(A, 2ul), (C, 2ul)], PmmAssert.Allocations(m.Pmm));
        Assert.Equal((0x500000ul, 0x60000ul), (m.Pmm.Stats.MetadataBase, m.Pmm.Stats.MetadataLength));
        Assert.Equal((PmmIntegrityStatus.Ok, 0ul), (Walk(m).Status, Walk(m).Address));
    }

    [Fact]
    public void A_control_block_without_its_magic_is_refused_at_the_control_block()
    {
        using HandBuiltPmm m = WithAHole();
        m.State->Magic ^= 1;
        Refused(m, PmmIntegrityStatus.BadMagic, m.Pmm.StateAddress);
    }

    [Theory]
    [InlineData(FrameRegion.Low)]
    [InlineData(FrameRegion.High)]
    public void A_free_tree_with_a_wrong_height_is_a_broken_tree(FrameRegion region)
    {
        // Without the tree's own validation the extent count would still match, and nothing else reads heights.
        using HandBuiltPmm m = WithAHole();
        m.Slot(FrameOf(region == FrameRegion.Low ? Hole : High))->Links.Height += 1;
        Refused(m, PmmIntegrityStatus.BrokenTree, m.Pmm.StateAddress);
    }

    [Theory]
    [InlineData(FrameRegion.Low)]
    [InlineData(FrameRegion.High)]
    public void A_free_extent_count_that_disagrees_with_the_tree_is_a_count_mismatch(FrameRegion region)
    {
        using HandBuiltPmm m = WithAHole();
        if (region == FrameRegion.Low)
            m.State->FreeExtentsLow++;
        else
            m.State->FreeExtentsHigh++;
        Refused(m, PmmIntegrityStatus.CountMismatch, m.Pmm.StateAddress);
    }

    [Fact]
    public void A_high_region_first_fit_hint_that_is_not_the_lowest_fit_is_a_broken_tree()
    {
        // High memory is one free extent at 4 GiB: the lowest fit for one frame is its head, the slot of 4 GiB's frame.
        using HandBuiltPmm m = WithAHole();
        m.State->FitHints[PhysicalMemoryManager.FitHintCounts + 0] = m.Pmm.SlotOf(FrameOf(High) + 1);
        Refused(m, PmmIntegrityStatus.BrokenTree, m.Pmm.StateAddress);
        m.State->FitHints[PhysicalMemoryManager.FitHintCounts + 0] = m.Pmm.SlotOf(FrameOf(High));
        Assert.True(Walk(m).IsOk);
    }

    [Theory]
    [InlineData(FrameRegion.Low)]
    [InlineData(FrameRegion.High)]
    public void A_free_head_flagged_for_the_other_region_is_a_broken_tree(FrameRegion region)
    {
        // The High flag does not change a free extent's size in the tree, so only the slot check sees it.
        using HandBuiltPmm m = WithAHole();
        ulong at = region == FrameRegion.Low ? Hole : High;
        m.SlotAt(at)->Flags ^= (uint)ExtentFlags.High;
        Refused(m, PmmIntegrityStatus.BrokenTree, at);
    }

    [Fact]
    public void A_free_extent_of_no_frames_is_a_broken_tree()
    {
        // The tree's maxima are repaired and the hints forgotten, so the tree is well formed around the empty extent;
        // its tail (at the hole's last frame) stays marked as before.
        using HandBuiltPmm m = WithAHole();
        m.SlotAt(Hole)->Length = 0;
        m.RefreshMaxima(FrameOf(Hole));
        m.ForgetHints();
        Refused(m, PmmIntegrityStatus.BrokenTree, Hole);
    }

    [Fact]
    public void A_low_free_extent_in_a_span_of_the_high_region_is_a_broken_tree()
    {
        // Span 0 is the low RAM from the kernel base to 32 MiB; its lowest free extent is the hole.
        using HandBuiltPmm m = WithAHole();
        Assert.Equal((FrameOf(0x100000), FrameOf(LowTop - 0x100000)), (m.Span(0)->FirstFrame, m.Span(0)->Frames));
        m.Span(0)->Region = (uint)FrameRegion.High;
        Refused(m, PmmIntegrityStatus.BrokenTree, Hole);
    }

    [Fact]
    public void A_free_extent_running_past_the_end_of_its_span_is_a_broken_tree()
    {
        // The span loses its last frame, which the free extent above the metadata (up to 32 MiB) still holds.
        using HandBuiltPmm m = WithAHole();
        m.Span(0)->Frames--;
        Refused(m, PmmIntegrityStatus.BrokenTree, AboveMetadata);
    }

    [Fact]
    public void A_tail_with_another_length_than_its_head_is_a_broken_tree()
    {
        using HandBuiltPmm m = WithAHole();
        m.SlotAt(Hole + 3 * Frames.Size)->Length = 5;
        Refused(m, PmmIntegrityStatus.BrokenTree, Hole);
    }

    [Fact]
    public void The_tail_of_a_two_frame_free_extent_is_checked_too()
    {
        // Two frames taken from the front of the hole leave a free extent of two: its tail is the frame after its head.
        using HandBuiltPmm m = WithAHole();
        Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrame(2, out PhysicalAddress front));
        Assert.Equal(Hole, front.Value);
        ulong pair = Hole + 2 * Frames.Size;
        Assert.Contains((pair, 2ul), PmmAssert.Free(m.Pmm, FrameRegion.Low));
        Assert.True(Walk(m).IsOk);
        m.SlotAt(pair + Frames.Size)->Length = 3;
        Refused(m, PmmIntegrityStatus.BrokenTree, pair);
    }

    [Fact]
    public void An_allocation_below_the_kernel_base_is_outside_usable_memory()
    {
        // The low region starts at the kernel base: moved one frame past A's first frame, A starts below it.
        using HandBuiltPmm m = WithAHole();
        m.State->KernelBase = A + Frames.Size;
        Refused(m, PmmIntegrityStatus.OutsideUsableMemory, A);
    }

    [Fact]
    public void An_extent_in_memory_the_map_does_not_list_as_available_is_outside_usable_memory()
    {
        // Map entry 1 (RAM from 1 MiB) is the only available range below 4 GiB at or above the kernel base: A, the
        // first extent of the low region, is the first thing outside it once it is not available.
        using HandBuiltPmm m = WithAHole();
        m.MapEntry(1)->Type = Reserved;
        Refused(m, PmmIntegrityStatus.OutsideUsableMemory, A);
    }

    [Fact]
    public void An_extent_running_past_the_end_of_available_memory_is_outside_usable_memory()
    {
        // RAM from 1 MiB now ends at 16 MiB: the free extent from the metadata's end to 32 MiB runs past it.
        using HandBuiltPmm m = WithAHole();
        m.MapEntry(1)->Length = 0x1000000 - 0x100000;
        Refused(m, PmmIntegrityStatus.OutsideUsableMemory, AboveMetadata);
    }

    [Fact]
    public void A_high_extent_in_memory_the_map_does_not_list_as_available_is_outside_usable_memory()
    {
        using HandBuiltPmm m = WithAHole();
        m.MapEntry(2)->Type = Reserved;
        Refused(m, PmmIntegrityStatus.OutsideUsableMemory, High);
    }

    [Fact]
    public void A_free_extent_that_touches_a_reserved_range_is_refused_at_that_extent()
    {
        // The reserved list is kernel, heap, metadata (by address). The heap grown down by one frame covers the last
        // frame of the free run [Rest, 2 MiB) right below it.
        using HandBuiltPmm m = WithAHole();
        ReservedRange* heap = m.ReservedEntry(1);
        Assert.Equal((0x200000ul, ReservedKind.Heap), (heap->Base, heap->Kind));
        heap->Base -= Frames.Size;
        heap->Length += Frames.Size;
        Refused(m, PmmIntegrityStatus.TouchesReserved, Rest);
    }

    [Fact]
    public void An_allocation_running_into_the_free_extent_after_it_is_an_overlap()
    {
        // A grown from 2 frames to 3 covers the hole's first frame.
        using HandBuiltPmm m = WithAHole();
        m.SlotAt(A)->Length = 3;
        Refused(m, PmmIntegrityStatus.Overlap, Hole);
    }

    [Fact]
    public void Two_free_extents_that_touch_are_refused_as_not_merged()
    {
        // The hole cut in two by hand, each half a well-formed free extent of 2 frames with its own head, tail and
        // tree node; the counters follow (one extent more, two slots more marked), no frame changes hands.
        using HandBuiltPmm m = WithAHole();
        uint first = FrameOf(Hole), second = first + 2;
        m.Slot(first)->Length = 2;
        m.RefreshMaxima(first);
        *m.Slot(first + 1) = new ExtentRecord { Start = first, Length = 2, Flags = (uint)ExtentFlags.Tail };
        *m.Slot(second) = new ExtentRecord { Start = second, Length = 2, Flags = (uint)ExtentFlags.Head };
        *m.Slot(second + 1) = new ExtentRecord { Start = second, Length = 2, Flags = (uint)ExtentFlags.Tail };
        ExtentStore store = m.Pmm.Store;
        AugmentedTree<ExtentStore>.Insert(ref store, ref m.State->LowFreeRoot, m.Pmm.SlotOf(second));
        m.State->FreeExtentsLow++;
        m.State->RecordsInUse += 2;
        m.ForgetHints();
        Refused(m, PmmIntegrityStatus.NotMerged, Hole + 2 * Frames.Size);
    }

    public enum Counter { FreeFramesLow, FreeFramesHigh, ManagedFramesLow, ManagedFramesHigh, AllocationCount, RecordsInUse }

    [Theory]
    [InlineData(Counter.FreeFramesLow)]
    [InlineData(Counter.FreeFramesHigh)]
    [InlineData(Counter.ManagedFramesLow)]
    [InlineData(Counter.ManagedFramesHigh)]
    [InlineData(Counter.AllocationCount)]
    [InlineData(Counter.RecordsInUse)]
    public void A_counter_one_off_from_what_the_walk_counts_is_a_count_mismatch(Counter counter)
    {
        using HandBuiltPmm m = WithAHole();
        PmmState* s = m.State;
        switch (counter)
        {
            case Counter.FreeFramesLow: s->FreeFramesLow++; break;
            case Counter.FreeFramesHigh: s->FreeFramesHigh++; break;
            case Counter.ManagedFramesLow: s->ManagedFramesLow++; break;
            case Counter.ManagedFramesHigh: s->ManagedFramesHigh--; break;
            case Counter.AllocationCount: s->AllocationCount++; break;
            case Counter.RecordsInUse: s->RecordsInUse--; break;
        }
        Refused(m, PmmIntegrityStatus.CountMismatch, m.Pmm.StateAddress);
    }
}
