using System;
using System.Runtime.InteropServices;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Hosting.Cpu;

/// <summary>
/// The checked memory window: every access the core makes goes through here. With paging off it is a
/// bounds-checked physical access; with CR0.PG set the address is linear and is translated by the simulated
/// MMU (supervisor, read or write, through the TLB) page by page, so touching a page the CPU would fault on
/// throws <see cref="PageFaultException"/> and reading through a stale translation reads what the CPU would.
/// </summary>
public sealed unsafe class CheckedMemory : IDisposable
{
    private readonly SimulatedCpu _cpu;
    private GCHandle _self;

    /// <summary>A checked window over <paramref name="cpu"/>'s RAM.</summary>
    public CheckedMemory(SimulatedCpu cpu)
    {
        _cpu = cpu;
        _self = GCHandle.Alloc(this);
        Window = new MemoryWindow(&Resolve, AddressLimits.FourGiB, GCHandle.ToIntPtr(_self));
    }

    /// <summary>The window to hand to the core.</summary>
    public MemoryWindow Window { get; }

    /// <summary>Accesses resolved so far.</summary>
    public long Accesses { get; private set; }

    /// <summary>The pointer for an access of <paramref name="length"/> bytes at <paramref name="address"/>, or an exception.</summary>
    public byte* Resolve(ulong address, uint length, MemoryAccess access)
    {
        Accesses++;
        ulong span = length == 0 ? 1 : length;
        if (!_cpu.PagingEnabled)
        {
            if (address > _cpu.RamSize || span > _cpu.RamSize - address)
                throw new MemoryWindowViolationException(address, span, _cpu.RamSize);
            return _cpu.Ram + address;
        }
        if (address >= AddressLimits.FourGiB || span > (AddressLimits.FourGiB) - address)
            throw new MemoryWindowViolationException(address, span, AddressLimits.FourGiB);
        AccessKind kind = access == MemoryAccess.Write ? AccessKind.Write : AccessKind.Read;
        string what = access == MemoryAccess.Write ? "write" : "read";
        Translation first = _cpu.Translate((uint)address, kind);
        if (first.IsFault)
            throw new PageFaultException(first.Fault, length, what);
        ulong physical = first.Physical.Value;
        // Every further page the access touches must translate, and to the next physical page: the core gets one
        // pointer, so a span that is not physically contiguous would read the wrong bytes.
        ulong end = address + span;
        for (ulong page = (address & ~0xFFFUL) + 0x1000; page < end; page += 0x1000)
        {
            Translation next = _cpu.Translate((uint)page, kind);
            if (next.IsFault)
                throw new PageFaultException(next.Fault, length, what);
            if (next.Physical.Value != physical + (page - address))
                throw new InvalidOperationException($"A {span}-byte access at linear 0x{address:X8} spans pages that are not physically contiguous.");
        }
        if (physical > _cpu.RamSize || span > _cpu.RamSize - physical)
            throw new MemoryWindowViolationException(physical, span, _cpu.RamSize);
        return _cpu.Ram + physical;
    }

    private static byte* Resolve(nint context, ulong address, uint length, MemoryAccess access) =>
        ((CheckedMemory)GCHandle.FromIntPtr(context).Target!).Resolve(address, length, access);

    /// <summary>Releases the handle the window's context refers to.</summary>
    public void Dispose()
    {
        if (_self.IsAllocated)
            _self.Free();
    }
}
