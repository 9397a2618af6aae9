using System;
using System.Collections.Generic;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Misuse;

/// <summary>
/// A booted machine with bystanders on every layer, each filled with a pattern of its own: heap blocks around a
/// victim block, frame runs (one identity-mapped) and a page mapped in the kernel part. A misuse is done to the victim
/// (or with a bad address); <see cref="BystandersIntact"/> then says whether everything else kept its contents, the
/// bytes the misuse itself wrote left out.
/// </summary>
internal sealed unsafe class MisuseScene : IDisposable
{
    public const uint VictimSize = 20;
    public const uint PageAt = 0x40000000;

    private readonly List<(uint At, uint Size, byte Seed)> _blocks = new();
    private readonly List<(PhysicalAddress At, uint Frames, byte Seed)> _runs = new();
    private readonly List<(ulong From, ulong To)> _writtenByMisuse = new();

    public MisuseScene()
    {
        Machine = KernelMachine.Boot(MachineConfig.ForMemorySize(32u << 20));
        Before = Block(100, 0x11);
        Victim = Heap.Kmalloc(VictimSize);
        After = Block(64, 0x22);
        Block(256, 0x33);
        Block(40, 0x44);
        Run(2, identityMapped: false, 0x55);
        MappedRun = Run(1, identityMapped: true, 0x66);
        Run(3, identityMapped: false, 0x77);
        Assert.Equal(PmmStatus.Ok, Pmm.AllocFrame(1, out PageFrame));
        Assert.Equal(VmmStatus.Ok, Vmm.AllocPage(new VirtualAddress(PageAt), PageFrame, PageFlags.Writable));
        Fill(Machine.Pc.Window, PageFrame.Value, Frames.Size, 0x88);
    }

    public KernelMachine Machine { get; }
    public KernelHeap<PmmHeapGrowth<VmmFrameMapper<SimulatedCpuPort, PmmPageTableFrames>>> Heap => Machine.Heap;
    public PhysicalMemoryManager Pmm => Machine.Pc.Pmm;
    public VirtualMemoryManager<SimulatedCpuPort, PmmPageTableFrames> Vmm => Machine.Paging.Vmm;
    public MemoryWindow Checked => Machine.Paging.Checked.Window;
    public VmmFrameMapper<SimulatedCpuPort, PmmPageTableFrames> Mapper => Machine.Paging.Mapper();

    /// <summary>The block before the victim, the victim (<see cref="VictimSize"/> bytes asked for), the block after it.</summary>
    public uint Before { get; }
    public uint Victim { get; }
    public uint After { get; }

    /// <summary>A one-frame run the VMM identity-maps.</summary>
    public PhysicalAddress MappedRun { get; }

    /// <summary>The frame behind the page at <see cref="PageAt"/>.</summary>
    public PhysicalAddress PageFrame;

    /// <summary>Writes <paramref name="length"/> bytes of <paramref name="value"/> at <paramref name="address"/> through
    /// the kernel's MMU, as a buggy caller would, and remembers them as the misuse's own.</summary>
    public void Scribble(ulong address, uint length, byte value)
    {
        byte* p = Checked.Bytes(address, length, MemoryAccess.Write);
        for (uint i = 0; i < length; i++)
            p[i] = value;
        _writtenByMisuse.Add((address, address + length));
    }

    /// <summary>Takes a heap block off the bystanders (a step of the probe freed it).</summary>
    public void Forget(uint block) => _blocks.RemoveAll(b => b.At == block);

    /// <summary>True when every bystander holds its pattern (bytes the misuse wrote excepted).</summary>
    public bool BystandersIntact()
    {
        MemoryWindow physical = Machine.Pc.Window;
        foreach ((uint at, uint size, byte seed) in _blocks)
            if (!Holds(physical, at, size, seed))
                return false;
        foreach ((PhysicalAddress at, uint frames, byte seed) in _runs)
            if (!Holds(physical, at.Value, frames << Frames.Shift, seed))
                return false;
        return Holds(physical, PageFrame.Value, Frames.Size, 0x88)
            && Vmm.Query(new VirtualAddress(PageAt)).Physical.Value == PageFrame.Value;
    }

    private uint Block(uint size, byte seed)
    {
        uint p = Heap.Kmalloc(size);
        Assert.NotEqual(0u, p);
        Fill(Machine.Pc.Window, p, size, seed);
        _blocks.Add((p, size, seed));
        return p;
    }

    private PhysicalAddress Run(uint frames, bool identityMapped, byte seed)
    {
        var mapper = Mapper;
        Assert.Equal(PmmStatus.Ok, Pmm.AllocFrame(frames, identityMapped, ref mapper, out PhysicalAddress at));
        Fill(identityMapped ? Checked : Machine.Pc.Window, at.Value, frames << Frames.Shift, seed);
        _runs.Add((at, frames, seed));
        return at;
    }

    private static void Fill(MemoryWindow w, ulong at, uint size, byte seed)
    {
        byte* p = w.Bytes(at, size, MemoryAccess.Write);
        for (uint i = 0; i < size; i++)
            p[i] = (byte)(seed + i);
    }

    private bool Holds(MemoryWindow w, ulong at, uint size, byte seed)
    {
        byte* p = w.Bytes(at, size, MemoryAccess.Read);
        for (uint i = 0; i < size; i++)
            if (p[i] != (byte)(seed + i) && !WrittenByMisuse(at + i))
                return false;
        return true;
    }

    private bool WrittenByMisuse(ulong address)
    {
        foreach ((ulong from, ulong to) in _writtenByMisuse)
            if (address >= from && address < to)
                return true;
        return false;
    }

    public void Dispose() => Machine.Dispose();
}
