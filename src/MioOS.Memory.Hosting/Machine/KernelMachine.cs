using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Physical;
using MioOS.Memory.Virtual;
using KernelHeapGrowth = MioOS.Memory.Heap.PmmHeapGrowth<MioOS.Memory.Virtual.VmmFrameMapper<MioOS.Memory.Hosting.Cpu.SimulatedCpuPort, MioOS.Memory.Virtual.PmmPageTableFrames>>;

namespace MioOS.Memory.Hosting.Machine;

/// <summary>
/// A simulated PC with every layer up, in <c>kmain</c>'s order: boot info and PMM (<see cref="SimulatedPc"/>),
/// VMM with paging on (<see cref="PagingMachine"/>), then the kernel heap at the layout's heap area, growing by
/// PMM frames that the VMM identity-maps.
/// </summary>
public sealed class KernelMachine : IDisposable
{
    private KernelMachine(SimulatedPc pc, PagingMachine paging, KernelHeap<KernelHeapGrowth> heap)
    {
        Pc = pc;
        Paging = paging;
        Heap = heap;
    }

    /// <summary>The PC with its PMM.</summary>
    public SimulatedPc Pc { get; }

    /// <summary>CPU, checked window and VMM.</summary>
    public PagingMachine Paging { get; }

    /// <summary>The kernel heap (a handle; its state is in simulated RAM).</summary>
    public KernelHeap<KernelHeapGrowth> Heap { get; }

    /// <summary>
    /// Boots <paramref name="config"/> through every layer. With <paramref name="checkedHeap"/> the heap's own
    /// accesses go through the simulated MMU, as the tests want; without it they use the direct window (the heap
    /// is identity-mapped, so the bytes are the same), as replays and benchmarks want. A layer that refuses
    /// throws <see cref="BootFailedException"/> naming it.
    /// </summary>
    public static KernelMachine Boot(MachineConfig config, CpuModel? cpu = null, bool checkedHeap = true, HeapOptions options = HeapOptions.None)
    {
        SimulatedPc pc = SimulatedPc.Boot(config);
        try
        {
            PagingMachine paging = PagingMachine.Start(pc, cpu);
            if (paging.Status != VmmStatus.Ok)
                throw new BootFailedException("vmm", $"paging could not be enabled ({paging.Status})");
            pc.Subsystem.HeapOptions = options;
            BringUpResult r = pc.Subsystem.BringUp(BringUpStage.Heap, pc.Buffers);
            if (!r.IsOk)
                throw new BootFailedException("heap", $"cannot lay the heap over 0x{pc.Layout.HeapStart:X}-0x{pc.Layout.HeapEnd:X} ({(HeapStatus)r.Status})");
            KernelHeap<KernelHeapGrowth> heap = pc.Subsystem.Heap;
            // The heap and the PMM's metadata are identity-mapped, so the direct window reaches the same bytes
            // without the MMU's checks (the VMM's mapper still goes through the MMU: it reaches page tables
            // through the recursive slot, which only the MMU resolves).
            PhysicalMemoryManager directPmm = PhysicalMemoryManager.Attach(pc.Window, pc.Pmm.StateAddress);
            if (!checkedHeap && KernelHeap<KernelHeapGrowth>.Attach(pc.Window, heap.Start, new KernelHeapGrowth(directPmm, paging.Mapper()), out heap) != HeapStatus.Ok)
                throw new BootFailedException("heap", "the heap could not be reached through the direct window");
            return new KernelMachine(pc, paging, heap);
        }
        catch
        {
            pc.Dispose();
            throw;
        }
    }

    /// <summary>Releases the machine.</summary>
    public void Dispose()
    {
        Paging.Dispose();
        Pc.Dispose();
    }
}
