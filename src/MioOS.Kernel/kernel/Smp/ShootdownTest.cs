using System.Threading;
using MioOS.Memory;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Kernel.Smp;

/// <summary>
/// A stale translation is never used after <c>free_page</c> returns: the BSP maps one kernel page to frame A, then
/// round after round unmaps it, poisons the frame it showed, and maps it to the other frame with a new tag, while
/// every other CPU reads the page as fast as it can. A round number, odd while the page changes, tells a reader
/// which tag a read in a stable round must see; a CPU that kept the old translation reads the poison or an old tag.
/// Each round lasts until every reader has read the page in it, so each reader's TLB holds every mapping in turn.
/// </summary>
internal static unsafe class ShootdownTest
{
    /// <summary>Test number in <see cref="CpuResults"/>.</summary>
    public const int ReaderTest = 3;

    /// <summary>Remappings the BSP makes.</summary>
    private const int Rounds = 150;

    /// <summary>What an unmapped frame holds: never a round number (those are even and small).</summary>
    private const uint Poison = 0xDEAD0001;

    private struct Seen
    {
        public fixed int Round[Processors.MaxCpus];
    }

    private static Seen s_seen;
    private static uint s_page;
    private static int s_round;
    private static int s_finished;
    private static ulong s_frameA, s_frameB;
    private static uint s_writerFailed;

    /// <summary>The page the readers read (a kernel address below 2 GiB, see <see cref="Prepare"/>).</summary>
    public static uint Page => s_page;

    /// <summary>What went wrong on the BSP's side (0: nothing).</summary>
    public static uint WriterFailed => s_writerFailed;

    /// <summary>
    /// Two identity-mapped frames for the contents, and the page: a kernel virtual address nothing else maps because
    /// the kernel owns the frame at that address and leaves it unmapped (as <see cref="DeviceWindow"/> does).
    /// </summary>
    public static bool Prepare()
    {
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        var mapper = mm.Mapper;
        if (mm.Pmm.AllocFrame(1, true, ref mapper, out PhysicalAddress a) != PmmStatus.Ok
            || mm.Pmm.AllocFrame(1, true, ref mapper, out PhysicalAddress b) != PmmStatus.Ok
            || mm.Pmm.AllocFrame(1, out PhysicalAddress page) != PmmStatus.Ok || page.Value >= PagingLayout.KernelSpaceEnd)
            return false;
        s_frameA = a.Value;
        s_frameB = b.Value;
        s_page = (uint)page.Value;
        *(uint*)(uint)s_frameA = 0;
        s_round = 0;
        for (int cpu = 0; cpu < Processors.MaxCpus; cpu++)
            s_seen.Round[cpu] = -1;
        s_finished = 0;
        return mm.Vmm.AllocPage(new VirtualAddress(s_page), a, PageFlags.Writable) == VmmStatus.Ok;
    }

    /// <summary>A <see cref="CpuJobs"/> job: CPU 0 remaps, the others read.</summary>
    public static void Run(int cpu)
    {
        if (cpu == 0)
            Remap();
        else
            Read(cpu);
    }

    private static void Remap()
    {
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        ulong shown = s_frameA;
        for (int round = 2; round <= 2 * Rounds && s_writerFailed == 0; round += 2)
        {
            Volatile.Write(ref s_round, round - 1);
            if (mm.Vmm.FreePage(new VirtualAddress(s_page)) != VmmStatus.Ok)
                s_writerFailed = 1;
            *(uint*)(uint)shown = Poison; // free_page returned: no CPU may read this frame through the page any more
            shown = shown == s_frameA ? s_frameB : s_frameA;
            *(uint*)(uint)shown = (uint)round;
            if (mm.Vmm.AllocPage(new VirtualAddress(s_page), new PhysicalAddress(shown), PageFlags.Writable) != VmmStatus.Ok)
                s_writerFailed = 2;
            Volatile.Write(ref s_round, round);
            for (int cpu = 1; cpu < Processors.Count; cpu++) // each reader reads this mapping before the next change
            {
                while (Processors.IsOnline(cpu) && Volatile.Read(ref s_seen.Round[cpu]) != round)
                    NativeSmp.Pause();
            }
        }
        Volatile.Write(ref s_finished, 1);
    }

    private static void Read(int cpu)
    {
        uint stable = 0, stale = 0, faults = 0, lastBad = 0;
        uint value;
        while (Volatile.Read(ref s_finished) == 0)
        {
            int before = Volatile.Read(ref s_round);
            if ((before & 1) != 0)
                continue;
            uint read = NativeTraps.ProbeRead(s_page, &value);
            if (Volatile.Read(ref s_round) != before)
                continue; // the page changed under the read: it proves nothing
            stable++;
            Volatile.Write(ref s_seen.Round[cpu], before);
            if (read == 0)
                faults++;
            else if (value != (uint)before)
            {
                stale++;
                lastBad = value;
            }
        }
        CpuResults.Record(cpu, ReaderTest, stale != 0 ? 1u : faults != 0 ? 2u : stable == 0 ? 3u : 0u, stable, stale != 0 ? lastBad : faults);
    }

    /// <summary>Unmaps the page and gives its frames back.</summary>
    public static bool Finish()
    {
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        var mapper = mm.Mapper;
        return mm.Vmm.FreePage(new VirtualAddress(s_page)) == VmmStatus.Ok
            && mm.Pmm.FreeFrame(new PhysicalAddress(s_page)) == PmmStatus.Ok
            && mm.Pmm.FreeFrame(new PhysicalAddress(s_frameA), ref mapper) == PmmStatus.Ok
            && mm.Pmm.FreeFrame(new PhysicalAddress(s_frameB), ref mapper) == PmmStatus.Ok;
    }
}
