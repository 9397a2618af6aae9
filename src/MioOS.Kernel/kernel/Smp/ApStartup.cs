using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MioOS.Memory;
using MioOS.Memory.Boot;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Kernel.Smp;

/// <summary>
/// Starts the application processors (SDM vol. 3, 8.4.4.1, the universal start-up algorithm as an OS does it with an
/// integrated APIC): the real-mode trampoline copied into a free low page, then for each AP its own stack from the
/// PMM, INIT, 10 ms, start-up IPI, 200 µs, a second start-up IPI if it has not started, and a wait until it is online.
/// An AP ends in <see cref="ApMain"/>, in managed code on the kernel's page directory, and waits there for work.
/// </summary>
internal static unsafe class ApStartup
{
    /// <summary>Each AP's stack, in frames (32 KiB; the BSP's is 64 KiB in boot/end.asm).</summary>
    public const uint StackFrames = 8;

    /// <summary>How long an AP has to come online before it is reported missing, in ms.</summary>
    private const uint OnlineTimeoutMs = 5000;

    /// <summary>Where the trampoline may go: page-aligned, below the EBDA and video memory (the start-up vector is a
    /// page number below 0x100), never page 0 (unmapped, the NULL guard).</summary>
    private const uint TrampolineLowest = (uint)KernelLayout.NullGuardEnd, TrampolineEnd = 0x9F000;

    private static uint s_trampoline;

    /// <summary>The page the trampoline was copied to (0: none was found).</summary>
    public static uint TrampolinePage => s_trampoline;

    /// <summary>
    /// Picks the trampoline's page: the lowest page in available RAM below 636 KiB that no boot data (info block,
    /// command line, modules) the PMM keeps lies in. The PMM never hands out the first MiB, so nothing else takes it.
    /// </summary>
    public static bool ChooseTrampolinePage()
    {
        ref PhysicalMemoryManager pmm = ref Kmain.Memory.Pmm;
        for (uint page = TrampolineLowest; page < TrampolineEnd; page += Frames.Size)
        {
            if (IsAvailable(ref pmm, page) && !IsReserved(ref pmm, page))
            {
                s_trampoline = page;
                return true;
            }
        }
        return false;
    }

    private static bool IsAvailable(ref PhysicalMemoryManager pmm, uint page)
    {
        for (uint i = 0; i < pmm.MapCount; i++)
        {
            MemoryMapEntry e = pmm.MapEntry(i);
            if (e.Kind == MemoryType.Available && e.Base <= page && page + (ulong)Frames.Size <= e.Base + e.Length)
                return true;
        }
        return false;
    }

    private static bool IsReserved(ref PhysicalMemoryManager pmm, uint page)
    {
        for (uint i = 0; i < pmm.ReservedCount; i++)
        {
            ReservedRange r = pmm.Reserved(i);
            if (r.Base < page + (ulong)Frames.Size && page < r.Base + r.Length)
                return true;
        }
        return false;
    }

    /// <summary>Starts every AP in <see cref="Processors"/>; returns how many came online.</summary>
    public static int StartAll()
    {
        ApStartParams* p = NativeSmp.CopyTrampoline(s_trampoline);
        int started = 0;
        for (int cpu = 1; cpu < Processors.Count; cpu++)
        {
            if (StartOne(p, cpu))
                started++;
        }
        return started;
    }

    private static bool StartOne(ApStartParams* p, int cpu)
    {
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        var mapper = mm.Mapper;
        if (mm.Pmm.AllocFrame(StackFrames, true, ref mapper, out PhysicalAddress stack) != PmmStatus.Ok)
            return false;
        p->StackTop = (uint)stack.Value + StackFrames * Frames.Size;
        p->CpuIndex = (uint)cpu;
        System.Threading.Volatile.Write(ref p->Started, 0);
        uint apic = Processors.ApicId(cpu);
        uint vector = s_trampoline >> Frames.Shift;
        LocalApic.SendInit(apic);
        PitDelay.Milliseconds(10);
        LocalApic.SendStartUp(apic, vector);
        PitDelay.Microseconds(200);
        if (System.Threading.Volatile.Read(ref p->Started) == 0)
        {
            LocalApic.SendStartUp(apic, vector); // the second SIPI of the protocol, for an AP that missed the first
            PitDelay.Microseconds(200);
        }
        for (uint ms = 0; ms < OnlineTimeoutMs && !Processors.IsOnline(cpu); ms++)
            PitDelay.Milliseconds(1);
        return Processors.IsOnline(cpu);
    }

    /// <summary>Where an AP enters managed code (from <c>ap_entry</c>): its APIC on, online, a clean TLB (the kernel
    /// may have changed mappings between its CR3 load and now), interrupts on, then the work loop.</summary>
    [UnmanagedCallersOnly(EntryPoint = "mio_ap_main", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void ApMain(uint cpu)
    {
        LocalApic.Enable();
        Processors.MarkOnline((int)cpu);
        NativeSmp.FlushTlb();
        Native.RestoreInterrupts(MetalLock.InterruptFlag);
        CpuJobs.WorkLoop((int)cpu);
    }
}
