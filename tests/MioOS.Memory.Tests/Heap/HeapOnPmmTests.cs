using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;

namespace MioOS.Memory.Tests.Heap;

/// <summary>The heap at its place on a booted simulated PC, growing with frames from the PMM.</summary>
public class HeapOnPmmTests
{
    [Fact]
    public void Heap_grows_with_pmm_frames_and_gives_them_back()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        var growth = new PmmHeapGrowth<NoFrameMapper>(pc.Pmm, default);
        Assert.Equal(HeapStatus.Ok, KernelHeap<PmmHeapGrowth<NoFrameMapper>>.Create(pc.Window, (uint)pc.Layout.HeapStart,
            (uint)(pc.Layout.HeapEnd - pc.Layout.HeapStart), growth, HeapOptions.CrossCheck, out var heap));
        ulong usedBefore = pc.Pmm.Stats.UsedFrames;

        uint small = heap.Kmalloc(1000);
        Assert.InRange(small, (uint)pc.Layout.HeapStart, (uint)pc.Layout.HeapEnd);
        uint big = heap.Kmalloc(5u << 20); // more than the initial 3 MiB: a segment of PMM frames
        Assert.NotEqual(0u, big);
        Assert.Equal(2u, heap.Stats().Segments);
        Assert.True(heap.Segment(1, out uint segment, out uint segmentLength));
        Assert.Equal(big - FirstFitModel.Header, segment); // the block opens the new segment
        Assert.Equal(segmentLength, pc.Pmm.AllocationLength(new MioOS.Memory.Platform.PhysicalAddress(segment)) << 12); // one PMM allocation
        Assert.True(pc.Pmm.Stats.UsedFrames > usedBefore);
        pc.Window.Zero(big, 5u << 20); // the grown memory is really there
        Assert.True(heap.CheckIntegrity().IsOk);

        Assert.Equal(HeapStatus.Ok, heap.Kfree(big));
        Assert.Equal(1u, heap.Stats().Segments);
        Assert.Equal(usedBefore, pc.Pmm.Stats.UsedFrames); // the frames went back
        Assert.True(pc.Pmm.CheckIntegrity().IsOk);
        Assert.True(heap.CheckIntegrity().IsOk);
        Assert.Equal(0u, heap.Stats().CrossCheckFailures);
    }

    [Fact]
    public void Heap_runs_out_when_the_pmm_does_and_stays_intact()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        var growth = new PmmHeapGrowth<NoFrameMapper>(pc.Pmm, default);
        KernelHeap<PmmHeapGrowth<NoFrameMapper>>.Create(pc.Window, (uint)pc.Layout.HeapStart,
            (uint)(pc.Layout.HeapEnd - pc.Layout.HeapStart), growth, HeapOptions.None, out var heap);
        uint count = 0;
        while (heap.Kmalloc(4u << 20, out HeapStatus status) != 0 || status != HeapStatus.OutOfMemory)
            count++;
        Assert.True(count > 10); // 128 MiB machine
        Assert.True(heap.CheckIntegrity().IsOk);
        Assert.True(pc.Pmm.CheckIntegrity().IsOk);
        Assert.NotEqual(0u, heap.Kmalloc(100));
    }
}
