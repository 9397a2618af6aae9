using System;
using System.Collections.Generic;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Hosting.Stress;

/// <summary>
/// One thread of <see cref="ContentionStress"/>: random mixed calls on the heap, the PMM and the VMM from its own
/// CPU. Everything it is handed is filled with a pattern of its own and checked before it gives it back, so a block,
/// run or page handed to two threads at once (or corrupted by a neighbour) is caught where it happens.
/// </summary>
internal sealed unsafe class StressWorker
{
    // At most this much held at once: enough to make blocks split, merge and the heap grow, bounded on 128 MiB.
    private const int MaxBlocks = 256, MaxRuns = 32, MaxPages = 64;

    private readonly SmpCpu _cpu;
    private readonly MemoryWindow _physical;
    private readonly Random _random;
    private readonly int _id;
    private readonly uint _pageBase;
    private readonly List<(uint Address, uint Size, uint Tag)> _blocks = new();
    private readonly List<(PhysicalAddress Start, uint Frames, bool Mapped, uint Tag)> _runs = new();
    private readonly List<(uint Virtual, PhysicalAddress Frame, uint Tag)> _pages = new();
    private readonly bool[] _pageUsed = new bool[Frames.PerLargePage];
    private uint _serial;

    public StressWorker(SmpCpu cpu, MemoryWindow physical, int id, int seed, uint pageBase)
    {
        _cpu = cpu;
        _physical = physical;
        _id = id;
        _random = new Random(seed * 7919 + id);
        _pageBase = pageBase;
    }

    public long HeapCalls, PmmCalls, VmmCalls;

    public long Calls => HeapCalls + PmmCalls + VmmCalls;

    /// <summary>Makes calls until <paramref name="calls"/> were made or <paramref name="stop"/> says so; then gives
    /// everything back. Throws <see cref="StressFailure"/> at the first wrong answer.</summary>
    public void Run(long calls, Func<bool> stop)
    {
        while (Calls < calls && !stop())
            Step();
        while (_blocks.Count > 0)
            FreeBlock(_blocks.Count - 1);
        while (_runs.Count > 0)
            FreeRun(_runs.Count - 1);
        while (_pages.Count > 0)
            UnmapPage(_pages.Count - 1);
    }

    private void Step()
    {
        int roll = _random.Next(100);
        if (roll < 30)
        {
            if (_blocks.Count < MaxBlocks)
                Allocate();
            else
                FreeBlock(_random.Next(_blocks.Count));
        }
        else if (roll < 55)
        {
            if (_blocks.Count > 0)
                FreeBlock(_random.Next(_blocks.Count));
        }
        else if (roll < 60)
        {
            if (_blocks.Count > 0)
                Reallocate(_random.Next(_blocks.Count));
        }
        else if (roll < 70)
        {
            if (_runs.Count < MaxRuns)
                TakeRun();
        }
        else if (roll < 80)
        {
            if (_runs.Count > 0)
                FreeRun(_random.Next(_runs.Count));
        }
        else if (roll < 88)
        {
            if (_pages.Count < MaxPages)
                MapPage();
        }
        else if (roll < 96)
        {
            if (_pages.Count > 0)
                UnmapPage(_random.Next(_pages.Count));
        }
        else if (_pages.Count > 0)
        {
            (uint virt, PhysicalAddress frame, _) = _pages[_random.Next(_pages.Count)];
            VmmCalls++;
            PageInfo info = _cpu.Vmm.Query(new VirtualAddress(virt + 0x123));
            if (!info.IsMapped || info.Physical.Value != frame.Value + 0x123)
                Fail($"query of its page 0x{virt:X8} answered {info.Physical.Value:X} (mapped: {info.IsMapped}), not 0x{frame.Value + 0x123:X}");
        }
    }

    private uint NextTag() => (uint)_id << 24 | (++_serial & 0xFFFFFF);

    private uint RequestSize()
    {
        int kind = _random.Next(100);
        return kind < 90 ? (uint)_random.Next(1, 257)
            : kind < 99 ? (uint)_random.Next(257, 4097)
            : (uint)_random.Next(64 << 10, 256 << 10);
    }

    private void Allocate()
    {
        uint size = RequestSize();
        HeapCalls++;
        uint p = _cpu.Heap.Kmalloc(size, out HeapStatus status);
        if (p == 0)
            Fail($"kmalloc({size}) refused: {status}");
        uint tag = NextTag();
        Fill(p, size, tag);
        _blocks.Add((p, size, tag));
    }

    private void FreeBlock(int index)
    {
        (uint p, uint size, uint tag) = _blocks[index];
        Check(p, size, tag, "heap block");
        HeapCalls++;
        HeapStatus status = _cpu.Heap.Kfree(p);
        if (status != HeapStatus.Ok)
            Fail($"kfree(0x{p:X8}) of its live block refused: {status}");
        RemoveAt(_blocks, index);
    }

    private void Reallocate(int index)
    {
        (uint p, uint size, uint tag) = _blocks[index];
        Check(p, size, tag, "heap block");
        uint newSize = RequestSize();
        HeapCalls++;
        uint q = _cpu.Heap.Krealloc(p, newSize, out HeapStatus status);
        if (q == 0)
            Fail($"krealloc(0x{p:X8}, {newSize}) refused: {status}");
        Check(q, Math.Min(size, newSize), tag, "block kept by krealloc");
        uint newTag = NextTag();
        Fill(q, newSize, newTag);
        _blocks[index] = (q, newSize, newTag);
    }

    private void TakeRun()
    {
        uint frames = (uint)_random.Next(1, 5);
        bool mapped = _random.Next(3) == 0;
        var mapper = _cpu.Mapper;
        PmmCalls++;
        PmmStatus status = _cpu.Pmm.AllocFrame(frames, mapped, ref mapper, out PhysicalAddress start);
        if (status != PmmStatus.Ok)
            Fail($"alloc_frame({frames}, identity_map: {mapped}) refused: {status}");
        uint tag = NextTag();
        for (uint f = 0; f < frames; f++)
            RunWindow(mapped).Write(start.Value + ((ulong)f << Frames.Shift), tag ^ f);
        _runs.Add((start, frames, mapped, tag));
    }

    private void FreeRun(int index)
    {
        (PhysicalAddress start, uint frames, bool mapped, uint tag) = _runs[index];
        for (uint f = 0; f < frames; f++)
        {
            uint found = RunWindow(mapped).Read<uint>(start.Value + ((ulong)f << Frames.Shift));
            if (found != (tag ^ f))
                Fail($"frame {f} of its run at 0x{start.Value:X} holds 0x{found:X8}, not 0x{tag ^ f:X8}: handed out twice or overwritten");
        }
        var mapper = _cpu.Mapper;
        PmmCalls++;
        PmmStatus status = _cpu.Pmm.FreeFrame(start, ref mapper);
        if (status != PmmStatus.Ok)
            Fail($"free_frame(0x{start.Value:X}) of its live run refused: {status}");
        RemoveAt(_runs, index);
    }

    // An identity-mapped run is reached as the kernel would, through this CPU's MMU; any other only physically.
    private MemoryWindow RunWindow(bool mapped) => mapped ? _cpu.Checked.Window : _physical;

    private void MapPage()
    {
        int slot;
        do
            slot = _random.Next(_pageUsed.Length);
        while (_pageUsed[slot]);
        uint virt = _pageBase + ((uint)slot << Frames.Shift);
        PmmCalls++;
        PmmStatus taken = _cpu.Pmm.AllocFrame(1, out PhysicalAddress frame);
        if (taken != PmmStatus.Ok)
            Fail($"alloc_frame(1) for a page refused: {taken}");
        VmmCalls++;
        VmmStatus status = _cpu.Vmm.AllocPage(new VirtualAddress(virt), frame, PageFlags.Writable);
        if (status != VmmStatus.Ok)
            Fail($"alloc_page(0x{virt:X8}, 0x{frame.Value:X}) in its own range refused: {status}");
        uint tag = NextTag();
        _cpu.Checked.Window.Write(virt + 8, tag);
        if (_physical.Read<uint>(frame.Value + 8) != tag)
            Fail($"a write through its page 0x{virt:X8} did not reach its frame 0x{frame.Value:X}");
        _pageUsed[slot] = true;
        _pages.Add((virt, frame, tag));
    }

    private void UnmapPage(int index)
    {
        (uint virt, PhysicalAddress frame, uint tag) = _pages[index];
        uint found = _cpu.Checked.Window.Read<uint>(virt + 8);
        if (found != tag)
            Fail($"its page 0x{virt:X8} reads 0x{found:X8}, not 0x{tag:X8}");
        VmmCalls++;
        VmmStatus status = _cpu.Vmm.FreePage(new VirtualAddress(virt));
        if (status != VmmStatus.Ok)
            Fail($"free_page(0x{virt:X8}) of its own page refused: {status}");
        if (_cpu.Cpu.Translate(virt, Cpu.AccessKind.Read).IsFault == false)
            Fail($"its page 0x{virt:X8} still translates after free_page");
        PmmCalls++;
        PmmStatus freed = _cpu.Pmm.FreeFrame(frame);
        if (freed != PmmStatus.Ok)
            Fail($"free_frame(0x{frame.Value:X}) of its page's frame refused: {freed}");
        _pageUsed[(virt - _pageBase) >> Frames.Shift] = false;
        RemoveAt(_pages, index);
    }

    private void Fill(uint address, uint size, uint tag)
    {
        byte* p = Bytes(address, size, MemoryAccess.Write);
        for (uint i = 0; i < size; i++)
            p[i] = (byte)(tag >> (int)(8 * (i & 3)) ^ i);
    }

    private void Check(uint address, uint size, uint tag, string what)
    {
        byte* p = Bytes(address, size, MemoryAccess.Read);
        for (uint i = 0; i < size; i++)
        {
            if (p[i] != (byte)(tag >> (int)(8 * (i & 3)) ^ i))
                Fail($"{what} 0x{address:X8} ({size} bytes) changed at byte {i}: handed out twice or overwritten");
        }
    }

    private byte* Bytes(uint address, uint size, MemoryAccess access) => _cpu.DataWindow.Bytes(address, size, access);

    private static void RemoveAt<T>(List<T> list, int index)
    {
        list[index] = list[^1];
        list.RemoveAt(list.Count - 1);
    }

    private void Fail(string message) => throw new StressFailure($"thread {_id}: {message}");
}

/// <summary>A wrong answer found by a stress thread.</summary>
public sealed class StressFailure(string message) : Exception(message);
