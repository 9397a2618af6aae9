using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Physical;

/// <summary>Every real firmware map in data/memmaps boots, with the firmware's own figures and a sound PMM.</summary>
public class RealMapTests
{
    [Theory]
    [MemberData(nameof(TestData.MemoryMapNames), MemberType = typeof(TestData))]
    public void Initialises_with_firmware_figures_equal_to_an_independent_reading(string name)
    {
        string path = TestData.MemoryMap(name);
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemoryMapFile(path));
        var (below, above) = E820Reference.UsableFrames(path);
        FirmwareFigures figures = pc.Firmware;
        Assert.Equal(below, figures.UsableFramesBelow4G);
        Assert.Equal(above, figures.UsableFramesAbove4G);
        PmmStats s = pc.Pmm.Stats;
        Assert.Equal(below, s.FirmwareFramesLow);
        Assert.Equal(above, s.FirmwareFramesHigh);
        Assert.Equal(s.UsableFramesLow, s.FreeFramesLow);
        Assert.Equal(s.FirmwareFramesLow + s.FirmwareFramesHigh, s.UsableFramesLow + s.UsableFramesHigh + s.ReservedFrames + s.UntrackedFramesHigh);
        PmmAssert.Intact(pc.Pmm);
    }

    [Theory]
    [MemberData(nameof(TestData.MemoryMapNames), MemberType = typeof(TestData))]
    public void Worst_case_fragmentation_never_runs_out_of_metadata(string name)
    {
        // Take every low frame one at a time from the lowest extent upwards, free every other one: the most
        // records the PMM can ever need for that stretch (a free extent per freed frame plus a record per live one).
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemoryMapFile(TestData.MemoryMap(name)));
        var taken = new List<ulong>();
        for (int i = 0; i < 20000 && pc.Pmm.AllocFrame(1, out PhysicalAddress a) == PmmStatus.Ok; i++)
            taken.Add(a.Value);
        for (int i = 0; i < taken.Count; i += 2)
            Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(new PhysicalAddress(taken[i])));
        PmmStats s = pc.Pmm.Stats;
        Assert.True(s.RecordsInUse <= s.RecordCapacity);
        Assert.True(s.FreeExtents >= (uint)(taken.Count / 2));
        PmmAssert.Intact(pc.Pmm);
    }

    [Fact]
    public void The_whole_of_a_small_machine_can_be_taken_frame_by_frame_and_given_back()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemorySize(32ul << 20));
        ulong usable = pc.Pmm.Stats.UsableFramesLow;
        var taken = new List<ulong>();
        while (pc.Pmm.AllocFrame(1, out PhysicalAddress a) == PmmStatus.Ok)
            taken.Add(a.Value);
        Assert.Equal(usable, (ulong)taken.Count);
        Assert.Equal(0u, pc.Pmm.Stats.FreeExtents);
        foreach (ulong a in taken.Where((_, i) => i % 2 == 1).Concat(taken.Where((_, i) => i % 2 == 0)))
            Assert.Equal(PmmStatus.Ok, pc.Pmm.FreeFrame(new PhysicalAddress(a)));
        Assert.Equal(usable, pc.Pmm.Stats.FreeFramesLow);
        PmmAssert.Intact(pc.Pmm);
    }
}
