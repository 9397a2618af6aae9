using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting;
using MioOS.Memory.Hosting.Heap;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Heap;

/// <summary>Every access the heap makes goes through its window and stays inside the memory it owns.</summary>
public unsafe class HeapFootprintTests
{
    private sealed class CheckingWindow : IDisposable
    {
        public readonly SimulatedRam Ram;
        public readonly List<(ulong Start, ulong End)> Allowed = new();
        public readonly List<string> Violations = new();
        public long Accesses;
        private GCHandle _self;

        public CheckingWindow(SimulatedRam ram)
        {
            Ram = ram;
            _self = GCHandle.Alloc(this);
            Window = new MemoryWindow(&Resolve, ram.Size, GCHandle.ToIntPtr(_self));
        }

        public MemoryWindow Window { get; }

        private static byte* Resolve(nint context, ulong address, uint length, MemoryAccess access)
        {
            var self = (CheckingWindow)GCHandle.FromIntPtr(context).Target!;
            self.Accesses++;
            bool inside = false;
            foreach (var (start, end) in self.Allowed)
                inside |= address >= start && address + length <= end;
            if (!inside && self.Violations.Count < 10)
                self.Violations.Add($"{access} 0x{address:X}+{length}");
            return self.Ram.Base + address;
        }

        public void Dispose()
        {
            if (_self.IsAllocated)
                _self.Free();
        }
    }

    [Fact]
    public void The_heap_touches_only_its_control_block_its_segments_and_the_growth_record()
    {
        using var ram = new SimulatedRam(64UL << 20);
        using var window = new CheckingWindow(ram);
        const uint start = HostedHeap.DefaultStart, size = 256 * 1024;
        uint growthStart = start + size + 0x100000, growthLimit = growthStart + (8u << 20);
        window.Allowed.Add((start, start + size));
        window.Allowed.Add((HostedHeap.GrowthStateAddress, HostedHeap.GrowthStateAddress + ArenaHeapGrowth.StateSize));
        window.Allowed.Add((growthStart, growthLimit));
        using var heap = new HostedHeap(ram, HeapOptions.CrossCheck, growthLimit, start, size, window.Window);
        var rng = new Random(7);
        var live = new List<uint>();
        for (int i = 0; i < 3000; i++)
        {
            int k = rng.Next(10);
            if (k < 4 || live.Count == 0)
                live.Add(heap.Kmalloc((uint)rng.Next(1, k == 0 ? 400_000 : 2000)));
            else if (k < 5)
                live.Add(heap.KmallocAligned((uint)rng.Next(1, 5000), 1u << rng.Next(4, 13)));
            else if (k < 7)
            {
                int j = rng.Next(live.Count);
                live[j] = heap.Krealloc(live[j], (uint)rng.Next(1, 6000));
            }
            else
            {
                int j = rng.Next(live.Count);
                heap.Kfree(live[j]);
                live.RemoveAt(j);
            }
            live.RemoveAll(p => p == 0);
        }
        Assert.True(heap.CheckIntegrity().IsOk);
        foreach (uint p in live)
            heap.Kfree(p);
        Assert.True(heap.CheckIntegrity().IsOk);
        Assert.Empty(window.Violations);
        Assert.True(window.Accesses > 10_000);
        Assert.True(heap.Stats().Grows > 0);
        Assert.True(heap.Stats().Releases > 0);
    }
}
