using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Tests.Support;
using static MioOS.Memory.Tests.Support.Machines;

namespace MioOS.Memory.Tests.Physical;

/// <summary>Where the PMM carves its metadata: right after the heap when it fits there, else higher up.</summary>
public class MetadataPlacementTests
{
    [Fact]
    public void Right_after_the_heap_when_the_range_there_holds_it()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        Assert.Equal(pc.Layout.HeapEnd, pc.Pmm.Stats.MetadataBase);
    }

    [Fact]
    public void A_small_island_after_the_heap_sends_it_to_the_first_range_that_holds_it_all()
    {
        // 8 MiB after 1 MiB, then 1 GiB from 16 MiB, and 8 GiB above 4 GiB: the worst-case pool for all of it
        // (~72 MiB, inside the 1/8-of-low-memory budget) does not fit in the island.
        using SimulatedPc pc = SimulatedPc.Boot(WithMap(E(0, 0x9FC00), E(0x100000, 0x800000), E(0x1000000, 0x40000000), E(1ul << 32, 8ul << 30)));
        PmmStats s = pc.Pmm.Stats;
        Assert.Equal(0x1000000ul, s.MetadataBase);
        Assert.Equal(0ul, s.UntrackedFramesHigh);
        Assert.Equal(s.FirmwareFramesHigh, s.UsableFramesHigh);
        // The island itself is still handed out.
        Assert.Contains(PmmAssert.Free(pc.Pmm, FrameRegion.Low), f => f.Start == 0x500000);
        PmmAssert.Intact(pc.Pmm);
    }

    [Fact]
    public void The_real_ryzen_map_tracks_all_its_high_memory_with_metadata_in_the_big_range()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemoryMapFile(TestData.MemoryMap("23-asrock-b450-ryzen-type20.txt")));
        PmmStats s = pc.Pmm.Stats;
        Assert.Equal(0ul, s.UntrackedFramesHigh);
        Assert.True(s.MetadataBase >= 0xB020000 && s.MetadataBase + s.MetadataLength <= KernelLayout.IdentityMappedLimit);
        Assert.Equal(PmmStatus.Ok, pc.Pmm.AllocFrames(1024, FrameRegion.High, 1024, out PhysicalAddress a));
        Assert.Equal(1ul << 32, a.Value);
        PmmAssert.Intact(pc.Pmm);
    }

    [Fact]
    public void Never_above_the_kernel_half_so_too_little_room_below_it_tracks_less_high_memory()
    {
        // Low memory below 2 GiB is the 59 MiB after the heap; 512 MiB more sit above 2 GiB, where the metadata
        // may not go: the budget would allow ~72 MiB for 64 GiB of high memory, the room below 2 GiB less.
        using SimulatedPc pc = SimulatedPc.Boot(WithMap(E(0, 0x9FC00), E(0x100000, 0x4000000), E(0x80000000, 0x20000000), E(1ul << 32, 64ul << 30)));
        PmmStats s = pc.Pmm.Stats;
        Assert.Equal(pc.Layout.HeapEnd, s.MetadataBase);
        Assert.True(s.MetadataBase + s.MetadataLength <= 0x4100000);
        Assert.True(s.MetadataLength > 0x4100000 - 0x500000 - 0x100000, "the room below 2 GiB is used, not just the budget's share");
        Assert.True(s.UntrackedFramesHigh > 0);
        Assert.True(s.UsableFramesHigh > 0);
        PmmAssert.Intact(pc.Pmm);
    }

    [Theory]
    [InlineData(0x541000ul, 0x1000ul, 0x501000ul)] // 64 frames between them: exactly enough
    [InlineData(0x540000ul, 0x1000ul, 0x541000ul)] // 63 frames: one too few, so right after the second
    [InlineData(0x540000ul, 0x2000ul, 0x542000ul)] // the same, the second two frames long
    public void Boot_data_after_the_heap_sends_it_past_every_stretch_too_small_for_it(ulong secondAt, ulong secondLength, ulong expected)
    {
        // RAM from 1 MiB to 32 MiB, no high memory: the metadata is a first page and 7,937 slots (one per frame from
        // 1 MiB to 32 MiB, plus one) of 32 bytes, 253,984 bytes, 63 pages: 64 pages (0x40000). Boot data at the heap's
        // end (half a frame: its whole frame is kept) and a second piece further up leave a stretch between them.
        using var m = new HandBuiltPmm(new KernelLayout(0x100000, 0x180000), [E(0, 0x9FC00), E(0x100000, 0x1F00000)],
            new ReservedRange(0x500000, 0x800, ReservedKind.InfoBlock), new ReservedRange(secondAt, secondLength, ReservedKind.Module));
        Assert.True(m.Result.IsOk);
        Assert.Equal((expected, 0x40000ul), (m.Pmm.Stats.MetadataBase, m.Pmm.Stats.MetadataLength));
        Assert.Equal((0x180000ul, 128ul), PmmAssert.Free(m.Pmm, FrameRegion.Low)[0]);
        PmmAssert.Intact(m.Pmm);
    }
}
