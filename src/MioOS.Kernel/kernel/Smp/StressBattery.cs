using MioOS.Memory;
using MioOS.Memory.Heap;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Kernel.Smp;

/// <summary>
/// The memory manager on every CPU at once: each CPU runs the same mix against the one heap, PMM and VMM, with
/// contents that name the CPU and the allocation, so a block or frame handed to two CPUs, or lost, shows as a wrong
/// byte; the BSP then walks the layers' integrity and compares their figures with those before.
/// </summary>
internal static unsafe class StressBattery
{
    /// <summary>Test numbers in <see cref="CpuResults"/>.</summary>
    public const int HeapTest = 0, FrameTest = 1, MapTest = 2;

    /// <summary>Rounds of each part over all CPUs, shared out evenly (kept small: every CPU is emulated, and on a host
    /// with fewer cores than CPUs a lock holder waits for a core while the others spin).</summary>
    private const int HeapRoundsInAll = 1600, FrameRoundsInAll = 400, MapRoundsInAll = 400;

    /// <summary>Live heap blocks per CPU, and their largest size.</summary>
    private const int HeapSlots = 24;
    private const uint HeapMaxBytes = 3000;

    /// <summary>Live frame runs per CPU, and the longest run.</summary>
    private const int FrameSlots = 6;
    private const uint FrameMaxRun = 4;

    /// <summary>Each CPU's private range for map/unmap: one 4 MiB directory slot each, in the part of the kernel's
    /// directory above 2 GiB (its own page table, made and freed as the range fills and empties).</summary>
    private const uint MapRangeBase = 0xC0000000;
    private const int MapPages = 8;

    /// <summary>Runs on each CPU (a <see cref="CpuJobs"/> job).</summary>
    public static void Run(int cpu)
    {
        uint seed = 0x9E3779B9u * (uint)(cpu + 1);
        int cpus = Processors.OnlineCount;
        Heap(cpu, HeapRoundsInAll / cpus, ref seed);
        FramesPart(cpu, FrameRoundsInAll / cpus, ref seed);
        Maps(cpu, MapRoundsInAll / cpus, ref seed);
    }

    private static uint Next(ref uint s)
    {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        return s;
    }

    private static byte Pattern(int cpu, uint tag, uint i) => (byte)(cpu * 61 + tag * 7 + i);

    private static void Heap(int cpu, int rounds, ref uint seed)
    {
        ref KernelHeap<PmmHeapGrowth<VmmFrameMapper<MetalCpu, PmmPageTableFrames>>> heap = ref Kmain.Memory.Heap;
        uint* block = stackalloc uint[HeapSlots];
        uint* size = stackalloc uint[HeapSlots];
        uint* tag = stackalloc uint[HeapSlots];
        for (int i = 0; i < HeapSlots; i++)
            block[i] = 0;
        uint failed = 0, ops = 0;
        for (uint round = 0; round < rounds && failed == 0; round++)
        {
            int slot = (int)(Next(ref seed) % HeapSlots);
            uint want = 1 + Next(ref seed) % HeapMaxBytes;
            if (block[slot] == 0)
            {
                block[slot] = heap.Kmalloc(want);
                if (block[slot] == 0)
                    failed = 1;
                else
                    Fill(cpu, block[slot], size[slot] = want, tag[slot] = round);
            }
            else if (!Holds(cpu, block[slot], size[slot], tag[slot]))
            {
                failed = 2;
            }
            else if ((round & 1) == 0)
            {
                uint moved = heap.Krealloc(block[slot], want);
                uint kept = want < size[slot] ? want : size[slot];
                if (moved == 0 || !Holds(cpu, moved, kept, tag[slot]))
                    failed = 3;
                else
                    Fill(cpu, block[slot] = moved, size[slot] = want, tag[slot] = round);
            }
            else
            {
                failed = heap.Kfree(block[slot]) == HeapStatus.Ok ? 0u : 4u;
                block[slot] = 0;
            }
            ops++;
        }
        for (int i = 0; i < HeapSlots; i++)
        {
            if (block[i] != 0 && (!Holds(cpu, block[i], size[i], tag[i]) || heap.Kfree(block[i]) != HeapStatus.Ok) && failed == 0)
                failed = 5;
        }
        CpuResults.Record(cpu, HeapTest, failed, ops);
    }

    private static void Fill(int cpu, uint address, uint length, uint tag)
    {
        for (uint i = 0; i < length; i++)
            ((byte*)address)[i] = Pattern(cpu, tag, i);
    }

    private static bool Holds(int cpu, uint address, uint length, uint tag)
    {
        for (uint i = 0; i < length; i++)
        {
            if (((byte*)address)[i] != Pattern(cpu, tag, i))
                return false;
        }
        return true;
    }

    private static void FramesPart(int cpu, int rounds, ref uint seed)
    {
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        var mapper = mm.Mapper;
        ulong* run = stackalloc ulong[FrameSlots];
        uint* count = stackalloc uint[FrameSlots];
        for (int i = 0; i < FrameSlots; i++)
            run[i] = 0;
        uint failed = 0, ops = 0;
        for (uint round = 0; round < rounds && failed == 0; round++)
        {
            int slot = (int)(Next(ref seed) % FrameSlots);
            if (run[slot] == 0)
            {
                uint n = 1 + Next(ref seed) % FrameMaxRun;
                if (mm.Pmm.AllocFrame(n, true, ref mapper, out PhysicalAddress frames) != PmmStatus.Ok)
                {
                    failed = 1;
                    break;
                }
                run[slot] = frames.Value;
                count[slot] = n;
                FillWords(cpu, (uint)frames.Value, n * Frames.Size, (uint)frames.Value);
            }
            else
            {
                if (!HoldsWords(cpu, (uint)run[slot], count[slot] * Frames.Size, (uint)run[slot]))
                    failed = 2;
                else if (mm.Pmm.FreeFrame(new PhysicalAddress(run[slot]), ref mapper) != PmmStatus.Ok)
                    failed = 3;
                run[slot] = 0;
            }
            ops++;
        }
        for (int i = 0; i < FrameSlots; i++)
        {
            if (run[i] != 0 && (!HoldsWords(cpu, (uint)run[i], count[i] * Frames.Size, (uint)run[i])
                || mm.Pmm.FreeFrame(new PhysicalAddress(run[i]), ref mapper) != PmmStatus.Ok) && failed == 0)
                failed = 4;
        }
        CpuResults.Record(cpu, FrameTest, failed, ops);
    }

    private static void FillWords(int cpu, uint address, uint bytes, uint tag)
    {
        for (uint i = 0; i < bytes / 4; i++)
            ((uint*)address)[i] = tag ^ (uint)(cpu << 24) ^ i;
    }

    private static bool HoldsWords(int cpu, uint address, uint bytes, uint tag)
    {
        for (uint i = 0; i < bytes / 4; i++)
        {
            if (((uint*)address)[i] != (tag ^ (uint)(cpu << 24) ^ i))
                return false;
        }
        return true;
    }

    private static void Maps(int cpu, int rounds, ref uint seed)
    {
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        uint rangeBase = MapRangeBase + (uint)cpu * Frames.LargeSize;
        ulong* frame = stackalloc ulong[MapPages];
        for (int i = 0; i < MapPages; i++)
            frame[i] = 0;
        uint failed = 0, ops = 0;
        for (uint round = 0; round < rounds && failed == 0; round++)
        {
            uint page = Next(ref seed) % (uint)MapPages;
            uint virt = rangeBase + page * Frames.Size;
            if (frame[page] == 0)
            {
                if (mm.Pmm.AllocFrame(1, out PhysicalAddress f) != PmmStatus.Ok)
                {
                    failed = 1;
                    break;
                }
                if (mm.Vmm.AllocPage(new VirtualAddress(virt), f, PageFlags.Writable) != VmmStatus.Ok)
                {
                    failed = 2;
                    mm.Pmm.FreeFrame(f);
                    break;
                }
                frame[page] = f.Value;
                FillWords(cpu, virt, Frames.Size, (uint)f.Value);
            }
            else
            {
                if (mm.Vmm.VirtualToPhysical(new VirtualAddress(virt), out PhysicalAddress f) != VmmStatus.Ok || f.Value != frame[page])
                    failed = 3;
                else if (!HoldsWords(cpu, virt, Frames.Size, (uint)f.Value))
                    failed = 4;
                else if (mm.Vmm.FreePage(new VirtualAddress(virt)) != VmmStatus.Ok || mm.Pmm.FreeFrame(f) != PmmStatus.Ok)
                    failed = 5;
                frame[page] = 0;
            }
            ops++;
        }
        for (uint page = 0; page < (uint)MapPages; page++)
        {
            if (frame[page] != 0 && (mm.Vmm.FreePage(new VirtualAddress(rangeBase + page * Frames.Size)) != VmmStatus.Ok
                || mm.Pmm.FreeFrame(new PhysicalAddress(frame[page])) != PmmStatus.Ok) && failed == 0)
                failed = 6;
        }
        CpuResults.Record(cpu, MapTest, failed, ops);
    }
}
