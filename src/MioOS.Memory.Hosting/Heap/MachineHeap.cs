using System;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;

namespace MioOS.Memory.Hosting.Heap;

/// <summary>The kernel heap of a booted <see cref="SimulatedPc"/>: at the layout's heap area, growing with PMM frames.</summary>
public static class MachineHeap
{
    /// <summary>Creates the heap over [<c>HeapStart</c>, <c>HeapEnd</c>) of <paramref name="pc"/>'s layout, growth
    /// from its PMM (no VMM yet: paging is off, so PMM frames are reachable as they are).</summary>
    public static KernelHeap<PmmHeapGrowth<NoFrameMapper>> Create(SimulatedPc pc, HeapOptions options = HeapOptions.None)
    {
        if (!pc.Booted)
            throw new ArgumentException("the machine did not boot, so it has no PMM to grow the heap from");
        var growth = new PmmHeapGrowth<NoFrameMapper>(pc.Pmm, default);
        HeapStatus status = KernelHeap<PmmHeapGrowth<NoFrameMapper>>.Create(pc.Window, (uint)pc.Layout.HeapStart,
            (uint)(pc.Layout.HeapEnd - pc.Layout.HeapStart), growth, options, out var heap);
        if (status != HeapStatus.Ok)
            throw new ArgumentException($"cannot lay the heap over 0x{pc.Layout.HeapStart:X}-0x{pc.Layout.HeapEnd:X}: {status}");
        return heap;
    }
}
