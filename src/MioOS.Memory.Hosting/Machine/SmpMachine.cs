using System;
using System.Collections.Generic;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Hosting.Machine;

/// <summary>One CPU of an <see cref="SmpMachine"/>: its MMU and checked window, and handles on the machine's one PMM,
/// VMM and heap that reach memory through them. Used by one thread at a time.</summary>
public sealed class SmpCpu : IDisposable
{
    internal SmpCpu(SimulatedCpu cpu, SimulatedCpu[] all, KernelMachine machine, bool checkedHeap)
    {
        Cpu = cpu;
        Checked = new CheckedMemory(cpu);
        Port = new SimulatedCpuPort(cpu, all);
        MemoryWindow window = Checked.Window;
        MemoryWindow dataWindow = checkedHeap ? window : machine.Pc.Window;
        DataWindow = dataWindow;
        Pmm = PhysicalMemoryManager.Attach(dataWindow, machine.Pc.Pmm.StateAddress);
        Vmm = VirtualMemoryManager<SimulatedCpuPort, PmmPageTableFrames>.Attach(window, Port, new PmmPageTableFrames(Pmm), machine.Paging.Vmm.StateAddress);
        if (KernelHeap<PmmHeapGrowth<VmmFrameMapper<SimulatedCpuPort, PmmPageTableFrames>>>.Attach(dataWindow, machine.Heap.Start,
                new PmmHeapGrowth<VmmFrameMapper<SimulatedCpuPort, PmmPageTableFrames>>(Pmm, Mapper), out KernelHeap<PmmHeapGrowth<VmmFrameMapper<SimulatedCpuPort, PmmPageTableFrames>>> heap) != HeapStatus.Ok)
            throw new InvalidOperationException("the heap could not be reached from another CPU");
        Heap = heap;
    }

    /// <summary>The CPU.</summary>
    public SimulatedCpu Cpu { get; }

    /// <summary>Its checked window (every access through its MMU and TLB).</summary>
    public CheckedMemory Checked { get; }

    /// <summary>The window its PMM and heap handles use: its checked window, or the direct one (identity-mapped
    /// memory, the same bytes) for a throughput measurement.</summary>
    public MemoryWindow DataWindow { get; }

    /// <summary>Its CPU seam.</summary>
    public SimulatedCpuPort Port { get; }

    /// <summary>The machine's PMM, seen from this CPU.</summary>
    public PhysicalMemoryManager Pmm { get; }

    /// <summary>The machine's VMM, driven from this CPU.</summary>
    public VirtualMemoryManager<SimulatedCpuPort, PmmPageTableFrames> Vmm { get; }

    /// <summary>The machine's heap, seen from this CPU (growing through this CPU's VMM handle).</summary>
    public KernelHeap<PmmHeapGrowth<VmmFrameMapper<SimulatedCpuPort, PmmPageTableFrames>>> Heap { get; }

    /// <summary>The mapper for <c>Pmm.AllocFrame(n, identityMap: true, ...)</c> from this CPU.</summary>
    public VmmFrameMapper<SimulatedCpuPort, PmmPageTableFrames> Mapper => new(Vmm);

    /// <summary>Releases the checked window's handle.</summary>
    public void Dispose() => Checked.Dispose();
}

/// <summary>
/// A simulated PC with several CPUs: a <see cref="KernelMachine"/> booted on the first, and more CPUs started as a
/// kernel starts its application processors (CR4, CR3, then CR0 copied from the boot CPU), each with its own TLB and
/// checked window over the one RAM. Threads each drive one <see cref="SmpCpu"/>; the layers' locks keep them apart.
/// </summary>
public sealed class SmpMachine : IDisposable
{
    private SmpMachine(KernelMachine machine, SmpCpu[] cpus)
    {
        Machine = machine;
        Cpus = cpus;
    }

    /// <summary>The machine as the boot CPU sees it (its handles use the boot CPU's checked window).</summary>
    public KernelMachine Machine { get; }

    /// <summary>The CPUs besides the boot CPU, one per thread.</summary>
    public IReadOnlyList<SmpCpu> Cpus { get; }

    /// <summary>Boots <paramref name="config"/> and starts <paramref name="cpus"/> more CPUs of the boot CPU's model.
    /// With <paramref name="checkedHeap"/> false their PMM and heap handles use the direct window (identity-mapped
    /// memory, the same bytes), as a throughput measurement wants; the VMM always goes through each CPU's MMU.</summary>
    public static SmpMachine Boot(MachineConfig config, int cpus, bool checkedHeap = true)
    {
        if (cpus < 1)
            throw new ArgumentOutOfRangeException(nameof(cpus), "at least one CPU besides the boot CPU");
        KernelMachine machine = KernelMachine.Boot(config, checkedHeap: checkedHeap);
        unsafe
        {
            SimulatedCpu boot = machine.Paging.Cpu;
            var all = new SimulatedCpu[cpus + 1];
            all[0] = boot;
            for (int i = 1; i <= cpus; i++)
            {
                var ap = new SimulatedCpu(boot.Ram, boot.RamSize, boot.Model);
                ap.WriteCr4(boot.Cr4);
                ap.WriteCr3(boot.Cr3);
                ap.WriteCr0(boot.Cr0);
                all[i] = ap;
            }
            var views = new SmpCpu[cpus];
            for (int i = 0; i < cpus; i++)
                views[i] = new SmpCpu(all[i + 1], all, machine, checkedHeap);
            return new SmpMachine(machine, views);
        }
    }

    /// <summary>Releases the CPUs' windows and the machine.</summary>
    public void Dispose()
    {
        foreach (SmpCpu cpu in Cpus)
            cpu.Dispose();
        Machine.Dispose();
    }
}
