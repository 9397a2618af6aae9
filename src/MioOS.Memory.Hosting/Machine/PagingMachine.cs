using System;
using System.Collections.Generic;
using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Hosting.Machine;

/// <summary>A run of virtual pages mapped to consecutive physical pages with the same size and flags.</summary>
/// <param name="Virtual">First virtual address.</param>
/// <param name="Physical">First physical address.</param>
/// <param name="Length">Bytes.</param>
/// <param name="Size">Page size of every page in the run.</param>
/// <param name="Flags">Flags (bit 7 = PAT; A and D left out, they change as the CPU runs).</param>
public readonly record struct MappedRange(uint Virtual, ulong Physical, ulong Length, PageSize Size, PageFlags Flags);

/// <summary>
/// Paging on a booted <see cref="SimulatedPc"/>: its bring-up continued through the VMM stage, as <c>kmain</c>'s
/// is: the VMM created with the PMM as its frame source, kernel space (boot information and modules included)
/// identity-mapped and paging turned on, every access of the core going through the PC's checked window.
/// </summary>
public sealed class PagingMachine : IDisposable
{
    private PagingMachine(SimulatedPc pc) => Pc = pc;

    /// <summary>The PC underneath.</summary>
    public SimulatedPc Pc { get; }

    /// <summary>The VMM (a handle; its state is in the simulated RAM).</summary>
    public VirtualMemoryManager<SimulatedCpuPort, PmmPageTableFrames> Vmm => Pc.Subsystem.Vmm;

    /// <summary>The CPU.</summary>
    public SimulatedCpu Cpu => Pc.Cpu;

    /// <summary>The checked window every core access goes through.</summary>
    public CheckedMemory Checked => Pc.Checked;

    /// <summary>The PMM, reached through the checked window.</summary>
    public PhysicalMemoryManager Pmm => Pc.Subsystem.Pmm;

    /// <summary>What VMM creation and <c>EnablePaging</c> returned.</summary>
    public VmmStatus Status { get; private set; }

    /// <summary>What the kernel's directory identity-maps besides the first 1 MiB and the VMM's own frames.</summary>
    public KernelSpaceLayout KernelSpace => Pc.Subsystem.KernelSpace;

    /// <summary>The boot information and module ranges the PMM reserved, identity-mapped read-only by <c>EnablePaging</c>.</summary>
    public ReservedRange[] BootRanges
    {
        get
        {
            var ranges = new ReservedRange[Pmm.ReservedCount];
            return ranges[..KernelSpaceLayout.CopyBootRanges(Pmm, ranges)];
        }
    }

    /// <summary>The mapper to pass to <c>Pmm.AllocFrame(n, identityMap: true, ref mapper, ...)</c>.</summary>
    public VmmFrameMapper<SimulatedCpuPort, PmmPageTableFrames> Mapper() => Pc.Subsystem.Mapper;

    /// <summary>Continues <paramref name="pc"/>'s bring-up (booted, PMM up) through the VMM on a CPU of
    /// <paramref name="model"/> (QEMU's <c>qemu32</c> by default), turning paging on.</summary>
    public static PagingMachine Start(SimulatedPc pc, CpuModel? model = null)
    {
        if (!pc.Booted)
            throw new InvalidOperationException("the PC has no PMM to take page tables from");
        if (pc.Subsystem.Reached >= BringUpStage.Vmm)
            throw new InvalidOperationException("paging is already on for this PC");
        pc.Cpu.Model = model ?? CpuModel.Qemu32;
        var machine = new PagingMachine(pc);
        BringUpResult r = pc.Subsystem.BringUp(BringUpStage.Vmm, pc.Buffers);
        machine.Status = r.FailedStage == BringUpStage.Vmm ? (VmmStatus)r.Status : VmmStatus.Ok;
        return machine;
    }

    /// <summary>
    /// The mapped ranges of the current address space, merged, in virtual order. The recursive slot (the page
    /// tables themselves at 0xFFC00000) is left out.
    /// </summary>
    public IReadOnlyList<MappedRange> PageMap()
    {
        var ranges = new List<MappedRange>();
        const PageFlags volatileBits = PageFlags.Accessed | PageFlags.Dirty;
        MappedRange? open = null;
        void Add(uint virt, ulong phys, ulong length, PageSize size, PageFlags flags)
        {
            flags &= ~volatileBits;
            if (open is { } o && o.Size == size && o.Flags == flags && (ulong)o.Virtual + o.Length == virt && o.Physical + o.Length == phys)
            {
                open = o with { Length = o.Length + length };
                return;
            }
            if (open is { } done)
                ranges.Add(done);
            open = new MappedRange(virt, phys, length, size, flags);
        }
        for (uint d = 0; d < PagingLayout.RecursiveSlot; d++)
        {
            PageDirectoryEntry pde = Vmm.ReadDirectoryEntry(d);
            if (!pde.IsPresent)
                continue;
            if (pde.IsLargePage)
            {
                Add(d << Frames.LargeShift, pde.LargePageAddress(Vmm.LargePageAddressBits).Value, Frames.LargeSize, PageSize.Size4MiB, pde.LargePageFlags);
                continue;
            }
            for (uint t = 0; t < Frames.PerLargePage; t++)
            {
                PageTableEntry pte = Vmm.ReadTableEntry(d, t);
                if (pte.IsPresent)
                    Add(d << Frames.LargeShift | t << Frames.Shift, pte.Frame.Value, Frames.Size, PageSize.Size4KiB, pte.EffectiveFlags(pde));
            }
        }
        if (open is { } last)
            ranges.Add(last);
        return ranges;
    }

    /// <summary>Nothing of its own to release: the PC (the caller's) owns the CPU and the checked window.</summary>
    public void Dispose()
    {
    }
}
