using MioOS.Memory.Boot;
using MioOS.Memory.Collections;
using MioOS.Memory.Hosting;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Physical;

/// <summary>
/// A PMM started straight from a map and a layout given by hand (no loader, no boot block), over simulated RAM that
/// backs only low memory: the PMM writes nothing but its metadata, so high memory in the map needs no backing. Lets a
/// test lay damage on the control block, the record slots, the spans, the map copy and the reserved list.
/// </summary>
internal sealed unsafe class HandBuiltPmm : IDisposable
{
    /// <summary>RAM backing physical 0 to 64 MiB: every low map used here ends there or below.</summary>
    public const ulong RamSize = 64ul << 20;

    public readonly SimulatedRam Ram = new(RamSize);
    public readonly PmmInitResult Result;
    public readonly PhysicalMemoryManager Pmm;

    public HandBuiltPmm(KernelLayout layout, MemoryMapEntry[] map, params ReservedRange[] bootRegions)
    {
        Result = PhysicalMemoryManager.Initialize(Ram.DirectWindow, layout, map, bootRegions, out Pmm);
    }

    public void Dispose() => Ram.Dispose();

    /// <summary>The control block.</summary>
    public PmmState* State => Pmm.Window.At<PmmState>(Pmm.StateAddress, MemoryAccess.Write);

    /// <summary>The record slot of <paramref name="frame"/> (which must be indexed).</summary>
    public ExtentRecord* Slot(uint frame)
    {
        uint slot = Pmm.SlotOf(frame);
        Assert.NotEqual(0u, slot);
        return Pmm.Store.Record(slot);
    }

    /// <summary>The record slot of the frame at <paramref name="address"/>.</summary>
    public ExtentRecord* SlotAt(ulong address) => Slot((uint)(address >> Frames.Shift));

    /// <summary>Frame span <paramref name="index"/> (in address order).</summary>
    public FrameSpan* Span(uint index) =>
        Pmm.Window.At<FrameSpan>(Pmm.StateAddress + State->SpanOffset + index * (ulong)FrameSpan.Size, MemoryAccess.Write);

    /// <summary>Entry <paramref name="index"/> of the PMM's copy of the map.</summary>
    public MemoryMapEntry* MapEntry(uint index) =>
        Pmm.Window.At<MemoryMapEntry>(Pmm.StateAddress + State->MapOffset + index * (ulong)sizeof(MemoryMapEntry), MemoryAccess.Write);

    /// <summary>Entry <paramref name="index"/> of the PMM's reserved list.</summary>
    public ReservedRange* ReservedEntry(uint index) =>
        Pmm.Window.At<ReservedRange>(Pmm.StateAddress + State->ReservedOffset + index * (ulong)sizeof(ReservedRange), MemoryAccess.Write);

    /// <summary>Repairs the subtree maxima above the free extent whose head is at <paramref name="frame"/> after its
    /// length was changed by hand, so that the tree stays well formed and only the damage meant is left.</summary>
    public void RefreshMaxima(uint frame)
    {
        ExtentStore store = Pmm.Store;
        AugmentedTree<ExtentStore>.SizeChanged(ref store, Pmm.SlotOf(frame));
    }

    /// <summary>Forgets every first-fit hint ("not known" is always allowed), so a hand-made change of lengths
    /// leaves no hint pointing at an extent that no longer is the lowest fit.</summary>
    public void ForgetHints()
    {
        for (int i = 0; i < 2 * PhysicalMemoryManager.FitHintCounts; i++)
            State->FitHints[i] = 0;
    }
}
