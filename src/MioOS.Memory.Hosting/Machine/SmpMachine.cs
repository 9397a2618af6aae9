using System;
using System.Collections.Generic;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Hosting.Machine;

/// <summary>
/// The CPU seam of one of an <see cref="SmpMachine"/>'s CPUs: its own control registers and TLB, and an
/// <c>invlpg</c> that also reaches every other CPU of the machine (a TLB shootdown), since the kernel part of the
/// address space, page tables' recursive window included, is shared by all of them.
/// </summary>
public readonly struct SmpCpuPort : ICpu
{
    private readonly SimulatedCpu _cpu;
    private readonly SimulatedCpu[] _all;

    /// <summary>The port of <paramref name="cpu"/>, one of <paramref name="all"/>.</summary>
    public SmpCpuPort(SimulatedCpu cpu, SimulatedCpu[] all)
    {
        _cpu = cpu;
        _all = all;
    }

    /// <inheritdoc />
    public uint ReadCr0() => _cpu.Cr0;

    /// <inheritdoc />
    public void WriteCr0(uint value) => _cpu.WriteCr0(value);

    /// <inheritdoc />
    public uint ReadCr3() => _cpu.Cr3;

    /// <inheritdoc />
    public void WriteCr3(uint value) => _cpu.WriteCr3(value);

    /// <inheritdoc />
    public uint ReadCr4() => _cpu.Cr4;

    /// <inheritdoc />
    public void WriteCr4(uint value) => _cpu.WriteCr4(value);

    /// <summary><c>invlpg</c> here, and the same page posted to every other CPU, which drops it before its next
    /// translation. Nobody waits for an acknowledgement (see docs/design.md, "Locks").</summary>
    public void InvalidatePage(uint linear)
    {
        _cpu.InvalidatePage(linear);
        foreach (SimulatedCpu other in _all)
            if (!ReferenceEquals(other, _cpu))
                other.PostRemoteInvalidation(linear);
    }

    /// <inheritdoc />
    public CpuFeatures Features => _cpu.Model.Features;
}

/// <summary>One CPU of an <see cref="SmpMachine"/>: its MMU and checked window, and handles on the machine's one PMM,
/// VMM and heap that reach memory through them. Used by one thread at a time.</summary>
public sealed class SmpCpu : IDisposable
{
    internal SmpCpu(SimulatedCpu cpu, SimulatedCpu[] all, KernelMachine machine, bool checkedHeap)
    {
        Cpu = cpu;
        Checked = new CheckedMemory(cpu);
        Port = new SmpCpuPort(cpu, all);
        MemoryWindow window = Checked.Window;
        MemoryWindow dataWindow = checkedHeap ? window : machine.Pc.Window;
        DataWindow = dataWindow;
        Pmm = PhysicalMemoryManager.Attach(dataWindow, machine.Pc.Pmm.StateAddress);
        Vmm = VirtualMemoryManager<SmpCpuPort, PmmPageTableFrames>.Attach(window, Port, new PmmPageTableFrames(Pmm), machine.Paging.Vmm.StateAddress);
        if (KernelHeap<PmmHeapGrowth<VmmFrameMapper<SmpCpuPort, PmmPageTableFrames>>>.Attach(dataWindow, machine.Heap.Start,
                new PmmHeapGrowth<VmmFrameMapper<SmpCpuPort, PmmPageTableFrames>>(Pmm, Mapper), out KernelHeap<PmmHeapGrowth<VmmFrameMapper<SmpCpuPort, PmmPageTableFrames>>> heap) != HeapStatus.Ok)
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
    public SmpCpuPort Port { get; }

    /// <summary>The machine's PMM, seen from this CPU.</summary>
    public PhysicalMemoryManager Pmm { get; }

    /// <summary>The machine's VMM, driven from this CPU.</summary>
    public VirtualMemoryManager<SmpCpuPort, PmmPageTableFrames> Vmm { get; }

    /// <summary>The machine's heap, seen from this CPU (growing through this CPU's VMM handle).</summary>
    public KernelHeap<PmmHeapGrowth<VmmFrameMapper<SmpCpuPort, PmmPageTableFrames>>> Heap { get; }

    /// <summary>The mapper for <c>Pmm.AllocFrame(n, identityMap: true, ...)</c> from this CPU.</summary>
    public VmmFrameMapper<SmpCpuPort, PmmPageTableFrames> Mapper => new(Vmm);

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
