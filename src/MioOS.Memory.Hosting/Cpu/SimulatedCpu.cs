using System;
using System.Collections.Concurrent;
using System.Threading;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Hosting.Cpu;

/// <summary>The result of translating one linear address.</summary>
/// <param name="Fault">The fault, when <see cref="IsFault"/>.</param>
/// <param name="Physical">The physical address of the byte.</param>
/// <param name="Size">The page size (<see cref="PageSize.None"/> with paging off).</param>
/// <param name="Flags">The effective flags (bit 7 = PAT for both sizes).</param>
/// <param name="FromTlb">True when a cached translation answered.</param>
/// <param name="IsFault">True when the access faults.</param>
public readonly record struct Translation(bool IsFault, PageFault Fault, PhysicalAddress Physical, PageSize Size, PageFlags Flags, bool FromTlb);

/// <summary>
/// A simulated x86 CPU as far as 32-bit paging goes: CR0/CR2/CR3/CR4, the CPUID facts of a <see cref="CpuModel"/>,
/// a page walker that follows Intel SDM vol. 3 chapter 4.3 bit for bit (4 KiB and 4 MiB pages, PSE-36, reserved
/// bits, rights with CR0.WP, Accessed/Dirty written back to memory), and a <see cref="Tlb"/>.
/// </summary>
public sealed unsafe class SimulatedCpu
{
    private readonly byte* _ram;
    private readonly ulong _ramSize;
    private uint _cr0;
    private uint _cr3;
    private uint _cr4;
    private readonly ConcurrentQueue<uint> _remoteInvalidations = new();
    private int _remotePending;

    /// <summary>A CPU over RAM at <paramref name="ram"/> (physical address 0) of <paramref name="ramSize"/> bytes,
    /// in protected mode with paging off (CR0 = PE | ET, as a multiboot loader leaves it).</summary>
    public SimulatedCpu(byte* ram, ulong ramSize, CpuModel model)
    {
        _ram = ram;
        _ramSize = ramSize;
        Model = model;
        _cr0 = ControlRegisters.Cr0ProtectionEnable | (1u << 4);
    }

    /// <summary>The CPUID facts; may be switched at any time (tests do, between boots).</summary>
    public CpuModel Model { get; set; }

    /// <summary>The RAM the walker reads.</summary>
    public byte* Ram => _ram;

    /// <summary>Bytes of RAM.</summary>
    public ulong RamSize => _ramSize;

    /// <summary>The TLB.</summary>
    public Tlb Tlb { get; } = new();

    /// <summary>Whether walks set A and D in memory, as the CPU does (on by default).</summary>
    public bool SetsAccessedAndDirty { get; set; } = true;

    /// <summary>Number of <c>invlpg</c>s executed.</summary>
    public long InvalidatePageCount { get; private set; }

    /// <summary>Number of CR3 loads.</summary>
    public long Cr3LoadCount { get; private set; }

    /// <summary>CR0.</summary>
    public uint Cr0 => _cr0;

    /// <summary>CR2: the linear address of the last page fault.</summary>
    public uint Cr2 { get; set; }

    /// <summary>CR3.</summary>
    public uint Cr3 => _cr3;

    /// <summary>CR4.</summary>
    public uint Cr4 => _cr4;

    /// <summary>True when CR0.PG is set.</summary>
    public bool PagingEnabled => (_cr0 & ControlRegisters.Cr0Paging) != 0;

    /// <summary>MOV to CR0. Changing PG flushes the whole TLB (SDM 4.10.4.1); PG without PE is #GP.</summary>
    public void WriteCr0(uint value)
    {
        if ((value & ControlRegisters.Cr0Paging) != 0 && (value & ControlRegisters.Cr0ProtectionEnable) == 0)
            throw new InvalidOperationException("#GP: CR0.PG set with CR0.PE clear.");
        if (((value ^ _cr0) & ControlRegisters.Cr0Paging) != 0)
            Tlb.FlushAll();
        _cr0 = value;
    }

    /// <summary>MOV to CR3: drops every non-global translation (all of them when CR4.PGE = 0).</summary>
    public void WriteCr3(uint value)
    {
        _cr3 = value;
        Cr3LoadCount++;
        if ((_cr4 & ControlRegisters.Cr4PageGlobalEnable) != 0)
            Tlb.FlushNonGlobal();
        else
            Tlb.FlushAll();
    }

    /// <summary>MOV to CR4. Setting a bit the CPU does not report is #GP; changing PSE, PAE or PGE flushes the TLB.</summary>
    public void WriteCr4(uint value)
    {
        CpuFeatures features = Model.Features;
        if ((value & ControlRegisters.Cr4PageSizeExtensions) != 0 && !features.Has(CpuFeatureFlags.Pse))
            throw new InvalidOperationException("#GP: CR4.PSE set on a CPU without PSE.");
        if ((value & ControlRegisters.Cr4PageGlobalEnable) != 0 && !features.Has(CpuFeatureFlags.Pge))
            throw new InvalidOperationException("#GP: CR4.PGE set on a CPU without PGE.");
        if ((value & ControlRegisters.Cr4PhysicalAddressExtension) != 0)
            throw new NotSupportedException("The simulated CPU models 32-bit paging only (CR4.PAE = 0).");
        const uint flushing = ControlRegisters.Cr4PageSizeExtensions | ControlRegisters.Cr4PhysicalAddressExtension | ControlRegisters.Cr4PageGlobalEnable;
        if (((value ^ _cr4) & flushing) != 0)
            Tlb.FlushAll();
        _cr4 = value;
    }

    /// <summary><c>invlpg</c>.</summary>
    public void InvalidatePage(uint linear)
    {
        InvalidatePageCount++;
        Tlb.InvalidatePage(linear);
    }

    /// <summary>
    /// An invalidation another CPU sends this one (the IPI of a TLB shootdown): safe from any thread, and done before
    /// this CPU's next translation, as an interrupt is taken between two instructions.
    /// </summary>
    public void PostRemoteInvalidation(uint linear)
    {
        _remoteInvalidations.Enqueue(linear);
        Interlocked.Increment(ref _remotePending);
    }

    /// <summary>Shootdown invalidations this CPU has carried out.</summary>
    public long RemoteInvalidationCount { get; private set; }

    private void TakeRemoteInvalidations()
    {
        while (_remoteInvalidations.TryDequeue(out uint linear))
        {
            Interlocked.Decrement(ref _remotePending);
            RemoteInvalidationCount++;
            Tlb.InvalidatePage(linear);
        }
    }

    /// <summary>
    /// Translates <paramref name="linear"/> as the CPU does: the TLB first, a walk on a miss (or on a write
    /// hitting a translation cached without D). A fault sets CR2 and drops any cached translation of the
    /// address (SDM 4.10.4.2).
    /// </summary>
    public Translation Translate(uint linear, AccessKind kind, bool user = false)
    {
        if (!PagingEnabled)
            return new Translation(false, default, new PhysicalAddress(linear), PageSize.None, PageFlags.None, false);
        if (Volatile.Read(ref _remotePending) != 0)
            TakeRemoteInvalidations();
        if (Tlb.TryLookup(linear, out TlbEntry cached))
        {
            PageFaultErrorCode denied = CheckRights(cached.Writable, cached.User, kind, user);
            // Rights are checked against the cached entry: a stale read-only entry faults spuriously (SDM 4.10.4.3).
            if (denied != PageFaultErrorCode.None)
                return Fail(new PageFault(linear, denied | PageFaultErrorCode.Present | Codes(kind, user)));
            // A write through a translation cached without D walks again so D is set in memory (SDM 4.8).
            if (kind != AccessKind.Write || cached.Dirty)
            {
                ulong mask = cached.Size == PageSize.Size4MiB ? Frames.LargeSize - 1 : Frames.Size - 1;
                return new Translation(false, default, new PhysicalAddress(cached.PageBase.Value + (linear & mask)), cached.Size, cached.Flags, true);
            }
        }
        Translation walked = Walk(linear, kind, user, fill: true);
        if (walked.IsFault)
            return Fail(walked.Fault);
        return walked;
    }

    /// <summary>
    /// Walks the paging structures for <paramref name="linear"/> without consulting the TLB. With
    /// <paramref name="fill"/> a successful walk sets A/D and is cached; without it nothing is written anywhere
    /// (for tools that want to know what an access would do).
    /// </summary>
    public Translation Walk(uint linear, AccessKind kind, bool user = false, bool fill = false)
    {
        if (!PagingEnabled)
            return new Translation(false, default, new PhysicalAddress(linear), PageSize.None, PageFlags.None, false);
        ulong pdeAddress = (_cr3 & PageDirectoryEntry.TableAddressMask) + ((linear >> 22) << 2);
        PageDirectoryEntry pde = new(ReadPhysical(pdeAddress));
        if (!pde.IsPresent)
            return Fault(linear, Codes(kind, user));
        bool pse = (_cr4 & ControlRegisters.Cr4PageSizeExtensions) != 0;
        bool pge = (_cr4 & ControlRegisters.Cr4PageGlobalEnable) != 0;
        if (pde.IsLargePage && pse)
        {
            int m = PageDirectoryEntry.LargePageAddressBits(Model.Features);
            if (pde.HasReservedBitsSet(m))
                return Fault(linear, PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit | Codes(kind, user));
            bool w = (pde.Value & (uint)PageFlags.Writable) != 0;
            bool u = (pde.Value & (uint)PageFlags.User) != 0;
            PageFaultErrorCode denied = CheckRights(w, u, kind, user);
            if (denied != PageFaultErrorCode.None)
                return Fault(linear, denied | PageFaultErrorCode.Present | Codes(kind, user));
            uint updated = pde.Value | (uint)PageFlags.Accessed | (kind == AccessKind.Write ? (uint)PageFlags.Dirty : 0);
            if (fill && SetsAccessedAndDirty && updated != pde.Value && !UpdateEntry(pdeAddress, pde.Value, updated))
                return Walk(linear, kind, user, fill);
            PhysicalAddress page = pde.LargePageAddress(m);
            // Report the entry as it now stands in memory: with A/D written when the walk filled, as found when it only looked.
            PageFlags flags = new PageDirectoryEntry(fill && SetsAccessedAndDirty ? updated : pde.Value).LargePageFlags;
            if (fill)
                Tlb.Insert(linear, new TlbEntry(page, PageSize.Size4MiB, w, u, (updated & (uint)PageFlags.Dirty) != 0,
                    pge && (pde.Value & (uint)PageFlags.Global) != 0, flags));
            return new Translation(false, default, new PhysicalAddress(page.Value + (linear & (Frames.LargeSize - 1))),
                PageSize.Size4MiB, flags, false);
        }
        // PS = 1 with CR4.PSE = 0 is ignored: the entry references a page table (SDM table 4-5).
        ulong pteAddress = pde.TableAddress.Value + (((linear >> 12) & 0x3FF) << 2);
        PageTableEntry pte = new(ReadPhysical(pteAddress));
        if (!pte.IsPresent)
            return Fault(linear, Codes(kind, user));
        PageFlags rights = pte.EffectiveFlags(pde);
        bool writable = (rights & PageFlags.Writable) != 0;
        bool userOk = (rights & PageFlags.User) != 0;
        PageFaultErrorCode deniedSmall = CheckRights(writable, userOk, kind, user);
        if (deniedSmall != PageFaultErrorCode.None)
            return Fault(linear, deniedSmall | PageFaultErrorCode.Present | Codes(kind, user));
        uint pteUpdated = pte.Value | (uint)PageFlags.Accessed | (kind == AccessKind.Write ? (uint)PageFlags.Dirty : 0);
        if (fill && SetsAccessedAndDirty)
        {
            if ((pde.Value & (uint)PageFlags.Accessed) == 0 && !UpdateEntry(pdeAddress, pde.Value, pde.Value | (uint)PageFlags.Accessed))
                return Walk(linear, kind, user, fill);
            if (pteUpdated != pte.Value && !UpdateEntry(pteAddress, pte.Value, pteUpdated))
                return Walk(linear, kind, user, fill);
        }
        PageFlags effective = new PageTableEntry(fill && SetsAccessedAndDirty ? pteUpdated : pte.Value).EffectiveFlags(pde);
        if (fill)
            Tlb.Insert(linear, new TlbEntry(pte.Frame, PageSize.Size4KiB, writable, userOk, (pteUpdated & (uint)PageFlags.Dirty) != 0,
                pge && (pte.Value & (uint)PageFlags.Global) != 0, effective));
        return new Translation(false, default, new PhysicalAddress(pte.Frame.Value + (linear & 0xFFF)), PageSize.Size4KiB, effective, false);
    }

    /// <summary>
    /// SDM vol. 3, 4.6: user accesses need U/S = 1 at every level and, for writes, R/W = 1; supervisor writes
    /// need R/W = 1 only when CR0.WP = 1; with CR4.SMEP a supervisor fetch from a user page faults.
    /// </summary>
    private PageFaultErrorCode CheckRights(bool writable, bool userPage, AccessKind kind, bool user)
    {
        bool ok;
        if (user)
            ok = userPage && (kind != AccessKind.Write || writable);
        else if (kind == AccessKind.Write)
            ok = writable || (_cr0 & ControlRegisters.Cr0WriteProtect) == 0;
        else if (kind == AccessKind.Execute)
            ok = !userPage || (_cr4 & ControlRegisters.Cr4Smep) == 0;
        else
            ok = true;
        return ok ? PageFaultErrorCode.None : PageFaultErrorCode.Present;
    }

    private PageFaultErrorCode Codes(AccessKind kind, bool user)
    {
        PageFaultErrorCode code = PageFaultErrorCode.None;
        if (kind == AccessKind.Write)
            code |= PageFaultErrorCode.Write;
        if (user)
            code |= PageFaultErrorCode.User;
        // In 32-bit paging I/D is reported only when CR4.SMEP = 1 (SDM 4.7).
        if (kind == AccessKind.Execute && (_cr4 & ControlRegisters.Cr4Smep) != 0)
            code |= PageFaultErrorCode.InstructionFetch;
        return code;
    }

    private static Translation Fault(uint linear, PageFaultErrorCode code) =>
        new(true, new PageFault(linear, code), default, PageSize.None, PageFlags.None, false);

    private Translation Fail(PageFault fault)
    {
        Cr2 = fault.Address;
        Tlb.InvalidatePage(fault.Address);
        return new Translation(true, fault, default, PageSize.None, PageFlags.None, false);
    }

    private uint ReadPhysical(ulong address)
    {
        if (address + 4 > _ramSize)
            throw new InvalidOperationException($"Page walk read at physical 0x{address:X} outside the simulated RAM (0x{_ramSize:X} bytes).");
        return *(uint*)(_ram + address);
    }

    /// <summary>
    /// Sets A/D in an entry the walk read as <paramref name="read"/>, atomically as the CPU does (a locked update, SDM
    /// vol. 3, 4.8): false, with nothing written, when another CPU changed the entry since, so the walk starts again.
    /// </summary>
    private bool UpdateEntry(ulong address, uint read, uint updated)
    {
        if (address + 4 > _ramSize)
            throw new InvalidOperationException($"Page walk write at physical 0x{address:X} outside the simulated RAM.");
        return Interlocked.CompareExchange(ref *(uint*)(_ram + address), updated, read) == read;
    }
}

/// <summary>The CPU seam over a <see cref="SimulatedCpu"/>: what the core's generic code calls. On a machine of
/// several CPUs (<see cref="Machine.SmpMachine"/>) its <c>invlpg</c> also reaches every other CPU (a TLB shootdown),
/// since the kernel part of the address space, page tables' recursive window included, is shared by all of them.</summary>
public readonly struct SimulatedCpuPort : ICpu
{
    private readonly SimulatedCpu _cpu;
    private readonly SimulatedCpu[]? _machine;

    /// <summary>Wraps <paramref name="cpu"/>, the only CPU of its machine.</summary>
    public SimulatedCpuPort(SimulatedCpu cpu) => _cpu = cpu;

    /// <summary>Wraps <paramref name="cpu"/>, one of the CPUs <paramref name="machine"/> over one RAM.</summary>
    public SimulatedCpuPort(SimulatedCpu cpu, SimulatedCpu[] machine)
    {
        _cpu = cpu;
        _machine = machine;
    }

    /// <summary>The CPU behind the port.</summary>
    public SimulatedCpu Cpu => _cpu;

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

    /// <summary><c>invlpg</c> here, and on a machine of several CPUs the same page posted to every other CPU, which
    /// drops it before its next translation. Nobody waits for an acknowledgement (see docs/design.md, "Locks").</summary>
    public void InvalidatePage(uint linear)
    {
        _cpu.InvalidatePage(linear);
        if (_machine is null)
            return;
        foreach (SimulatedCpu other in _machine)
            if (!ReferenceEquals(other, _cpu))
                other.PostRemoteInvalidation(linear);
    }

    /// <inheritdoc />
    public CpuFeatures Features => _cpu.Model.Features;
}
