using MioOS.Memory.Physical;

namespace MioOS.Memory.Tests.Physical;

internal static class PmmAssert
{
    public static void Intact(PhysicalMemoryManager pmm)
    {
        PmmIntegrity i = pmm.CheckIntegrity();
        Assert.True(i.IsOk, $"PMM integrity: {i.Status} at 0x{i.Address:X}");
    }

    public static List<(ulong Start, ulong Frames)> Free(PhysicalMemoryManager pmm, FrameRegion region)
    {
        var list = new List<(ulong, ulong)>();
        ExtentCursor c = pmm.FreeExtents(region);
        while (c.Next(out var start, out uint frames))
            list.Add((start.Value, frames));
        return list;
    }

    public static List<(ulong Start, ulong Frames)> Allocations(PhysicalMemoryManager pmm)
    {
        var list = new List<(ulong, ulong)>();
        ExtentCursor c = pmm.Allocations();
        while (c.Next(out var start, out uint frames))
            list.Add((start.Value, frames));
        return list;
    }

    /// <summary>The PMM's whole state equals the model's.</summary>
    public static void SameAs(PmmModel model, PhysicalMemoryManager pmm)
    {
        Assert.Equal(model.Free(FrameRegion.Low), Free(pmm, FrameRegion.Low));
        Assert.Equal(model.Free(FrameRegion.High), Free(pmm, FrameRegion.High));
        Assert.Equal(model.Allocations, Allocations(pmm));
        PmmStats s = pmm.Stats;
        Assert.Equal(model.FreeFrames(FrameRegion.Low), s.FreeFramesLow);
        Assert.Equal(model.FreeFrames(FrameRegion.High), s.FreeFramesHigh);
        Assert.Equal((uint)(model.Free(FrameRegion.Low).Count + model.Free(FrameRegion.High).Count), s.FreeExtents);
    }
}
