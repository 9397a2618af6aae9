using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>A plain frame list for page tables: lowest free frame first, every frame accounted for.</summary>
public sealed class FramePool
{
    private readonly SortedSet<ulong> _free = new();

    public FramePool(ulong start, ulong end)
    {
        for (ulong a = start; a < end; a += Frames.Size)
            _free.Add(a);
    }

    public HashSet<ulong> Allocated { get; } = new();

    /// <summary>Frames still allowed to be handed out (null: no limit).</summary>
    public int? Budget { get; set; }

    public int FreeCount => _free.Count;

    public bool TryAllocate(out PhysicalAddress frame)
    {
        frame = default;
        if (_free.Count == 0 || Budget == 0)
            return false;
        ulong a = _free.Min;
        _free.Remove(a);
        Allocated.Add(a);
        if (Budget.HasValue)
            Budget--;
        // Hand out dirty frames: the VMM must zero what it takes.
        frame = new PhysicalAddress(a);
        return true;
    }

    public void Free(PhysicalAddress frame)
    {
        if (!Allocated.Remove(frame.Value))
            throw new InvalidOperationException($"Frame 0x{frame.Value:X} freed but not allocated (double free?).");
        _free.Add(frame.Value);
        if (Budget.HasValue)
            Budget++;
    }
}

/// <summary>The frame-source seam over a <see cref="FramePool"/>.</summary>
public readonly struct PoolFrames : IPageTableFrames
{
    public PoolFrames(FramePool pool) => Pool = pool;

    public FramePool Pool { get; }

    public bool TryAllocate(out PhysicalAddress frame) => Pool.TryAllocate(out frame);

    public void Free(PhysicalAddress frame) => Pool.Free(frame);
}

/// <summary>
/// A simulated PC for VMM tests: RAM, a CPU, the checked window, a frame pool, and a VMM created on them.
/// </summary>
public sealed unsafe class VmmMachine : IDisposable
{
    public const ulong KernelStart = 0x100000;
    public const ulong KernelEnd = 0x180000;
    public const ulong HeapStart = 0x200000;
    public const ulong HeapEnd = 0x500000;
    public const ulong MetadataStart = 0x500000;
    public const ulong MetadataEnd = 0x510000;
    public const ulong PoolStart = 0x800000;

    private readonly byte* _ram;
    public VirtualMemoryManager<SimulatedCpuPort, PoolFrames> Vmm;

    public VmmMachine(CpuModel? model = null, ulong ramSize = 32 << 20, ulong poolEnd = 0x1800000)
    {
        RamSize = ramSize;
        _ram = (byte*)NativeMemory.AllocZeroed((nuint)ramSize);
        // Fill the pool with garbage so an unzeroed page table shows.
        for (ulong a = PoolStart; a < poolEnd && a < ramSize; a += 4)
            *(uint*)(_ram + a) = 0xDEADBEEF;
        Cpu = new SimulatedCpu(_ram, ramSize, model ?? CpuModel.Max36);
        Checked = new CheckedMemory(Cpu);
        Pool = new FramePool(PoolStart, poolEnd);
        VmmStatus status = VirtualMemoryManager<SimulatedCpuPort, PoolFrames>.Create(
            Checked.Window, new SimulatedCpuPort(Cpu), new PoolFrames(Pool), out Vmm);
        if (status != VmmStatus.Ok)
            throw new InvalidOperationException($"VMM creation: {status}");
    }

    public ulong RamSize { get; }
    public byte* Ram => _ram;
    public SimulatedCpu Cpu { get; }
    public CheckedMemory Checked { get; }
    public FramePool Pool { get; }

    public static KernelSpaceLayout Layout => new()
    {
        KernelStart = KernelStart, KernelEnd = KernelEnd,
        HeapStart = HeapStart, HeapEnd = HeapEnd,
        MetadataStart = MetadataStart, MetadataEnd = MetadataEnd,
    };

    /// <summary>A machine with paging on.</summary>
    public static VmmMachine Booted(CpuModel? model = null)
    {
        VmmMachine m = new(model);
        VmmStatus status = m.Vmm.EnablePaging(Layout);
        if (status != VmmStatus.Ok)
            throw new InvalidOperationException($"EnablePaging: {status}");
        return m;
    }

    public uint ReadPhysical(ulong address) => *(uint*)(_ram + address);

    public void WritePhysical(ulong address, uint value) => *(uint*)(_ram + address) = value;

    /// <summary>The raw directory entry of slot <paramref name="d"/> of the directory CR3 (or the VMM) names.</summary>
    public uint Pde(uint d) => ReadPhysical(Vmm.CurrentDirectory.Value + d * 4);

    /// <summary>The raw PTE for <paramref name="virt"/> (0 when there is no table).</summary>
    public uint Pte(uint virt)
    {
        uint pde = Pde(virt >> 22);
        if ((pde & 1) == 0 || (pde & 0x80) != 0)
            return 0;
        return ReadPhysical((pde & 0xFFFFF000) + ((virt >> 12) & 0x3FF) * 4);
    }

    /// <summary>A copy of the current directory and every table it references (A and D masked out).</summary>
    public Dictionary<uint, uint[]> Snapshot()
    {
        Dictionary<uint, uint[]> snap = new();
        uint[] dir = new uint[1024];
        for (uint d = 0; d < 1024; d++)
            dir[d] = Pde(d) & ~0x60u;
        snap[uint.MaxValue] = dir;
        for (uint d = 0; d < 1023; d++)
        {
            uint pde = Pde(d);
            if ((pde & 1) == 0 || (pde & 0x80) != 0)
                continue;
            uint[] table = new uint[1024];
            for (uint t = 0; t < 1024; t++)
                table[t] = ReadPhysical((pde & 0xFFFFF000) + t * 4) & ~0x60u;
            snap[d] = table;
        }
        return snap;
    }

    public void Dispose()
    {
        Checked.Dispose();
        NativeMemory.Free(_ram);
    }
}
