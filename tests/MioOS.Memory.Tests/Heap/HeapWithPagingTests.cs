using System;
using System.Collections.Generic;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Heap;

using Growth = PmmHeapGrowth<VmmFrameMapper<SimulatedCpuPort, PmmPageTableFrames>>;

/// <summary>The heap with paging on: every access through the simulated MMU; growth = PMM frames the VMM
/// identity-maps, unmapped again when a segment goes back.</summary>
public class HeapWithPagingTests
{
    [Fact]
    public void Heap_works_through_the_mmu_and_its_grown_segments_are_mapped_only_while_held()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        using PagingMachine m = PagingMachine.Start(pc);
        Assert.Equal(VmmStatus.Ok, m.Status);
        Assert.Equal(HeapStatus.Ok, KernelHeap<Growth>.Create(m.Checked.Window, (uint)pc.Layout.HeapStart,
            (uint)(pc.Layout.HeapEnd - pc.Layout.HeapStart), new Growth(m.Pmm, m.Mapper()), HeapOptions.CrossCheck, out var heap));

        var rng = new Random(11);
        var live = new List<uint>();
        uint grownAt = 0, grownLength = 0;
        for (int i = 0; i < 2000; i++)
        {
            int k = rng.Next(10);
            if (k < 4 || live.Count == 0)
                live.Add(heap.Kmalloc((uint)rng.Next(1, k == 0 ? 1_500_000 : 3000)));
            else if (k < 5)
                live.Add(heap.KmallocAligned((uint)rng.Next(1, 9000), 4096));
            else if (k < 7)
            {
                int j = rng.Next(live.Count);
                live[j] = heap.Krealloc(live[j], (uint)rng.Next(1, 9000));
            }
            else
            {
                int j = rng.Next(live.Count);
                Assert.Equal(HeapStatus.Ok, heap.Kfree(live[j]));
                live.RemoveAt(j);
            }
            live.RemoveAll(p => p == 0);
            if (grownAt == 0 && heap.Segment(1, out uint s, out uint l))
                (grownAt, grownLength) = (s, l);
            if (i % 50 == 0)
                Assert.True(heap.CheckIntegrity().IsOk);
        }
        Assert.True(heap.Stats().Grows > 0);
        Assert.NotEqual(0u, grownAt);
        foreach (uint p in live)
            Assert.Equal(HeapStatus.Ok, heap.Kfree(p));
        // Every grown segment went back but the spare (at most one, kept for the next growth).
        HeapStats stats = heap.Stats();
        uint spares = stats.SpareBytes == 0 ? 0u : 1u;
        Assert.Equal(1u + spares, stats.Segments);
        Assert.Equal(stats.Grows, stats.Releases + spares);
        Assert.Equal(0u, stats.CrossCheckFailures);
        Assert.True(heap.CheckIntegrity().IsOk);
        Assert.True(m.Pmm.CheckIntegrity().IsOk);
        // A released grown segment went back to the PMM and its identity mapping with it: touching it faults.
        if (spares == 0 || !heap.Segment(1, out uint spareAt, out _) || spareAt != grownAt)
        {
            Assert.Throws<PageFaultException>(() => m.Checked.Window.Read<uint>(grownAt));
            Assert.Throws<PageFaultException>(() => m.Checked.Window.Read<uint>(grownAt + grownLength - 4));
        }
    }
}
