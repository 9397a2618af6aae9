using MioOS.Memory.Boot;
using MioOS.Memory.Physical;
using static MioOS.Memory.Tests.Support.Machines;

namespace MioOS.Memory.Tests.Physical;

/// <summary>
/// How much metadata <see cref="PhysicalMemoryManager.Initialize"/> takes and how much high memory it tracks, on small
/// maps worked out by hand. The rules (Initialize's contract, docs/performance.md "PMM"): the metadata starts with a
/// control block, the map copy, the reserved list and the frame spans, rounded up to whole pages (on these maps of 3
/// or 4 entries with no boot regions, a few hundred bytes: one page), then one 32-byte record slot per low frame from
/// the kernel base to 4 GiB plus one, and one per tracked high frame, rounded up to whole pages. High memory is
/// tracked as far as a budget of an eighth of the low region's bytes allows; when the metadata does not fit below
/// 2 GiB, as far as the roomiest place there allows. Frames in KiB below: a frame is 4 KiB, a slot 32 bytes, so a page
/// holds 128 slots.
/// </summary>
public class PmmMetadataSizingTests
{
    private const ulong MiB = 1ul << 20, High = 1ul << 32;
    private static readonly KernelLayout Kernel = new(0x100000, 0x180000);

    private static void Figures(HandBuiltPmm m, ulong metadataBase, ulong metadataLength, uint slots, ulong highTracked, ulong highUntracked)
    {
        Assert.True(m.Result.IsOk, $"{m.Result.Status} at 0x{m.Result.Address:X}");
        PmmStats s = m.Pmm.Stats;
        Assert.Equal((metadataBase, metadataLength, slots), (s.MetadataBase, s.MetadataLength, s.RecordCapacity));
        Assert.Equal((highTracked, highUntracked), (s.UsableFramesHigh, s.UntrackedFramesHigh));
        PmmAssert.Intact(m.Pmm);
    }

    [Fact]
    public void Every_frame_of_both_regions_has_a_slot_when_the_budget_covers_high_memory()
    {
        // Low region: 1 MiB to 32 MiB, 7,936 frames; budget 31 MiB / 8 = 3.875 MiB, far above what 16 MiB of high
        // memory (4,096 frames) needs. Slots: 7,936 + 4,096 = 12,032 indexed, room made for one more (12,033 x 32 =
        // 385,056 bytes, 95 pages); with the first page, 96 pages = 0x60000 after the heap's end at 5 MiB.
        using var m = new HandBuiltPmm(Kernel, [E(0, 0x9FC00), E(MiB, 31 * MiB), E(High, 16 * MiB)]);
        Figures(m, 5 * MiB, 0x60000, 12032, 4096, 0);
    }

    [Fact]
    public void High_memory_is_tracked_as_far_as_an_eighth_of_low_memory_pays_for()
    {
        // Low region: 1 MiB to 17 MiB, 4,096 frames, 16 MiB: the budget is 2 MiB = 2,097,152 bytes. Of it, the first
        // page (4,096) and the low slots (4,097 x 32 = 131,104) leave 1,961,952 bytes: 61,311 high slots exactly. The
        // 1 GiB at 4 GiB has 262,144 frames, so 262,144 - 61,311 = 200,833 are not tracked. Slots indexed:
        // 4,096 + 61,311 = 65,407; made room for: 65,408 x 32 = 2,093,056 bytes = 511 pages; 512 pages in all.
        using var m = new HandBuiltPmm(Kernel, [E(0, 0x9FC00), E(MiB, 16 * MiB), E(High, 1ul << 30)]);
        Figures(m, 5 * MiB, 2 * MiB, 65407, 61311, 200833);
    }

    [Fact]
    public void Too_little_room_below_2_GiB_tracks_as_much_high_memory_as_the_room_there_holds()
    {
        // Low region: 1 MiB to 32 MiB (7,936 frames) and 2 GiB to 2.25 GiB (65,536 frames, above the kernel's half,
        // where the metadata may not go): 73,472 frames, 73,473 low slots. The budget (287 MiB / 8) would track all
        // 4 GiB of high memory (1,048,576 frames), about 34.3 MiB of metadata; the only room below 2 GiB is from the
        // heap's end to 32 MiB, 27 MiB = 28,311,552 bytes. Less the first page: 28,307,456 bytes, 884,608 slots, of
        // which 884,608 - 73,473 = 811,135 for high memory (1,048,576 - 811,135 = 237,441 not tracked). The metadata
        // fills the room exactly; slots indexed: 73,472 + 811,135 = 884,607.
        using var m = new HandBuiltPmm(Kernel, [E(0, 0x9FC00), E(MiB, 31 * MiB), E(0x80000000, 256 * MiB), E(High, 4ul << 30)]);
        Figures(m, 5 * MiB, 27 * MiB, 884607, 811135, 237441);
    }

    [Fact]
    public void Room_for_exactly_the_low_slots_starts_with_no_high_memory_tracked_and_one_low_frame_more_is_refused()
    {
        // RAM 1 MiB to 9 MiB (2,048 frames) leaves 4 MiB after the heap, the only room below 2 GiB: less the first
        // page, 4,190,208 bytes = 130,944 slots. Low memory that needs exactly that many: 130,943 frames, 2,048 of
        // them at 1 MiB and 128,895 from 2 GiB. All of the 1 GiB at 4 GiB (262,144 frames) is then untracked. One
        // frame more above 2 GiB needs one slot more than the room holds: refused at the end of the kernel's range.
        const ulong aboveTwoGiB = 128895ul << 12;
        MemoryMapEntry[] Map(ulong extra) => [E(0, 0x9FC00), E(MiB, 8 * MiB), E(0x80000000, aboveTwoGiB + extra), E(High, 1ul << 30)];
        using (var m = new HandBuiltPmm(Kernel, Map(0)))
            Figures(m, 5 * MiB, 4 * MiB, 130943, 0, 262144);
        using (var m = new HandBuiltPmm(Kernel, Map(0x1000)))
            Assert.Equal((PmmInitStatus.NoUsableLowMemory, 9 * MiB), (m.Result.Status, m.Result.Address));
    }
}
