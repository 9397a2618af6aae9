using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MioOS.Kernel;
using MioOS.Memory.Boot;
using MioOS.Memory.Heap;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.CLib;

/// <summary>
/// The C API of <c>include/mioos/memory.h</c>. Each function here is entered only through its assembly thunk in
/// <c>native/exports.asm</c> (the thunk owns the public name, e.g. <c>kmalloc</c>; this one is <c>mioos_cs_kmalloc</c>),
/// after the thunk enabled SSE. The layer only translates: C arguments into the core's types, the core's statuses
/// into <see cref="MmStatus"/>; the subsystem and its one bring-up are <see cref="MemorySubsystem{TCpu}"/>.
/// </summary>
internal static unsafe class Exports
{
    /// <summary>The flag bits a caller may pass: W, U, PWT, PCD, G.</summary>
    private const uint AllowedFlags = (uint)(PageFlags.Writable | PageFlags.User | PageFlags.WriteThrough
        | PageFlags.CacheDisable | PageFlags.Global);

    private const int RawMapCapacity = 128;
    private const int ModuleCapacity = 16;
    private const int RegionCapacity = 64;

    private static MemorySubsystem<MetalCpu> s_mm;
    private static bool s_initLocked;
    private static bool s_ready;
    private static MmStatus s_last;

    private static MemoryWindow Window =>
        new((byte*)0, AddressLimits.FourGiB, &Halt.WindowViolation, 0);

    /// <summary>Called once by the thunks, after the CPU check and before any other export.</summary>
    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_start", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void Start()
    {
        if (!Startup.RunEagerConstructors())
            Halt.With("the library has no ReadyToRun header this startup code understands", null, 0, false);
    }

    /// <summary>RhpThrowEx and the other runtime failure paths of <c>native/exports.asm</c> end here.</summary>
    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_runtime_failure", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void RuntimeFailure(uint code) => Halt.With("runtime failure", null, code, true);

    private static int Refuse(MmStatus status, string call)
    {
        if (Log.Enabled)
        {
            Log.Begin();
            Log.Append(call);
            Log.Append(": ");
            Log.Status(status);
            Log.End();
        }
        return (int)status;
    }

    private static bool FlagsOk(uint flags) => (flags & ~AllowedFlags) == 0;

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_mm_init", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static int MmInit(uint magic, uint info, uint kernelStart, uint kernelEnd)
    {
        if (s_initLocked)
            return Refuse(MmStatus.AlreadyInitialized, "mm_init");

        MetalLock.Install();
        Span<MemoryMapEntry> raw = stackalloc MemoryMapEntry[RawMapCapacity];
        Span<MemoryMapEntry> map = stackalloc MemoryMapEntry[2 * RawMapCapacity];
        Span<BootModule> modules = stackalloc BootModule[ModuleCapacity];
        Span<ReservedRange> regions = stackalloc ReservedRange[RegionCapacity];
        s_mm = MemorySubsystem<MetalCpu>.ForHandoff(Window, new MetalCpu(), magic, info, kernelStart, kernelEnd);
        BringUpResult r = s_mm.BringUp(BringUpStage.Heap, new BringUpBuffers(raw, map, modules, regions));
        MmStatus status = MmStatuses.Of(r);
        if (Log.Enabled)
        {
            Log.Begin();
            Log.Append("mm_init: ");
            if (r.IsOk)
            {
                PmmStats p = s_mm.Pmm.Stats;
                Log.Append(s_mm.BootInfo.Protocol == BootProtocol.Multiboot1 ? "multiboot1, " : "multiboot2, ");
                Log.Dec(p.FreeFramesLow);
                Log.Append(" frames free low + ");
                Log.Dec(p.FreeFramesHigh);
                Log.Append(" high, paging on (CR3 ");
                Log.Hex(s_mm.Vmm.KernelDirectory.Value);
                Log.Append("), heap ");
                Log.Hex(s_mm.Layout.HeapStart);
                Log.Append("+");
                Log.Hex(KernelLayout.InitialHeapSize);
            }
            else
            {
                Log.Status(status);
                Log.Append(" at stage ");
                Log.Append(StageName(r.FailedStage));
                Log.Append(", address ");
                Log.Hex(r.Address);
                Log.Append(", value ");
                Log.Hex(r.Value);
            }
            Log.End();
        }
        s_ready = r.IsOk;
        // A refusal before the VMM stage changed nothing the caller depends on (paging is still off, the frames are
        // still the firmware's): mm_init may be called again. From the VMM stage on there is no way back.
        s_initLocked = r.IsOk || r.FailedStage >= BringUpStage.Vmm;
        return (int)status;
    }

    private static string StageName(BringUpStage stage) => stage switch
    {
        BringUpStage.BootInfo => "boot-info",
        BringUpStage.MemoryMap => "memory-map",
        BringUpStage.Pmm => "pmm",
        BringUpStage.Vmm => "vmm",
        _ => "heap",
    };

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_alloc_frame", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void* AllocFrame(uint numBlocks, byte identityMap)
    {
        if (!s_ready)
        {
            s_last = MmStatus.NotInitialized;
            return null;
        }
        VmmFrameMapper<MetalCpu, PmmPageTableFrames> mapper = s_mm.Mapper;
        PmmStatus st = s_mm.Pmm.AllocFrame(numBlocks, identityMap != 0, ref mapper, out PhysicalAddress address);
        s_last = MmStatuses.Of(st);
        return st == PmmStatus.Ok ? (void*)(uint)address.Value : null;
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_free_frame", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static int FreeFrame(void* pointer)
    {
        if (!s_ready)
            return (int)MmStatus.NotInitialized;
        VmmFrameMapper<MetalCpu, PmmPageTableFrames> mapper = s_mm.Mapper;
        MmStatus st = MmStatuses.Of(s_mm.Pmm.FreeFrame(new PhysicalAddress((uint)pointer), ref mapper));
        if (st != MmStatus.Ok && Log.Enabled)
        {
            Log.Begin();
            Log.Append("free_frame(");
            Log.Hex((uint)pointer);
            Log.Append(") refused: ");
            Log.Status(st);
            Log.Append(" (bad frees so far: ");
            Log.Dec(s_mm.Pmm.Stats.BadFrees);
            Log.Append(")");
            Log.End();
        }
        return (int)st;
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_alloc_page", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static int AllocPage(uint virt, uint phys, uint flags)
    {
        if (!s_ready)
            return (int)MmStatus.NotInitialized;
        if (!FlagsOk(flags))
            return Refuse(MmStatus.BadFlags, "alloc_page");
        return (int)MmStatuses.Of(s_mm.Vmm.AllocPage(new VirtualAddress(virt), new PhysicalAddress(phys), (PageFlags)flags));
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_alloc_page_4mib", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static int AllocPage4MiB(uint virt, ulong phys, uint flags)
    {
        if (!s_ready)
            return (int)MmStatus.NotInitialized;
        if (!FlagsOk(flags))
            return Refuse(MmStatus.BadFlags, "alloc_page_4mib");
        return (int)MmStatuses.Of(s_mm.Vmm.AllocPage4MiB(new VirtualAddress(virt), new PhysicalAddress(phys), (PageFlags)flags));
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_identity_map_region", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static int IdentityMapRegion(uint start, uint end, uint flags)
    {
        if (!s_ready)
            return (int)MmStatus.NotInitialized;
        if (!FlagsOk(flags))
            return Refuse(MmStatus.BadFlags, "identity_map_region");
        return (int)MmStatuses.Of(s_mm.Vmm.IdentityMapRegion(new PhysicalAddress(start), new PhysicalAddress(end),
            (PageFlags)flags, IdentityMapPolicy.Small));
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_free_page", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static int FreePage(uint virt)
    {
        if (!s_ready)
            return (int)MmStatus.NotInitialized;
        return (int)MmStatuses.Of(s_mm.Vmm.FreePage(new VirtualAddress(virt)));
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_virt_to_phys", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static ulong VirtToPhys(uint virt)
    {
        if (!s_ready)
        {
            s_last = MmStatus.NotInitialized;
            return ulong.MaxValue;
        }
        VmmStatus st = s_mm.Vmm.VirtualToPhysical(new VirtualAddress(virt), out PhysicalAddress phys);
        s_last = MmStatuses.Of(st);
        return st == VmmStatus.Ok ? phys.Value : ulong.MaxValue;
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_is_mapped", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static byte IsMapped(uint virt) => s_ready && s_mm.Vmm.IsMapped(new VirtualAddress(virt)) ? (byte)1 : (byte)0;

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_kmalloc", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void* Kmalloc(uint size)
    {
        if (!s_ready)
        {
            s_last = MmStatus.NotInitialized;
            return null;
        }
        uint p = s_mm.Heap.Kmalloc(size, out HeapStatus st);
        s_last = MmStatuses.Of(st);
        return (void*)p;
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_kcalloc", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void* Kcalloc(uint count, uint size)
    {
        if (!s_ready)
        {
            s_last = MmStatus.NotInitialized;
            return null;
        }
        uint p = s_mm.Heap.Kcalloc(count, size, out HeapStatus st);
        s_last = MmStatuses.Of(st);
        return (void*)p;
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_krealloc", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void* Krealloc(void* pointer, uint size)
    {
        if (!s_ready)
        {
            s_last = MmStatus.NotInitialized;
            return null;
        }
        uint p = s_mm.Heap.Krealloc((uint)pointer, size, out HeapStatus st);
        s_last = MmStatuses.Of(st);
        if (st != HeapStatus.Ok && st != HeapStatus.OutOfMemory && st != HeapStatus.SizeOverflow)
            LogMisuse("krealloc", (uint)pointer, s_last);
        return (void*)p;
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_kfree", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void Kfree(void* pointer)
    {
        if (!s_ready)
        {
            s_last = MmStatus.NotInitialized;
            return;
        }
        s_last = MmStatuses.Of(s_mm.Heap.Kfree((uint)pointer));
        if (s_last != MmStatus.Ok)
            LogMisuse("kfree", (uint)pointer, s_last);
    }

    private static void LogMisuse(string call, uint pointer, MmStatus status)
    {
        if (!Log.Enabled)
            return;
        Log.Begin();
        Log.Append(call);
        Log.Append("(");
        Log.Hex(pointer);
        Log.Append(") refused: ");
        Log.Status(status);
        Log.Append(" (heap misuse count ");
        Log.Dec(s_mm.Heap.Stats().MisuseCount);
        Log.Append(")");
        Log.End();
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_mm_check", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static int MmCheck()
    {
        if (!s_ready)
            return (int)MmStatus.NotInitialized;
        PmmIntegrity pmm = s_mm.Pmm.CheckIntegrity();
        if (!pmm.IsOk)
            return Checked(MmStatuses.Of(pmm.Status), "pmm", pmm.Address);
        MetalCpu cpu = s_mm.Cpu;
        if (!s_mm.Vmm.IsPagingEnabled || (cpu.ReadCr0() & ControlRegisters.Cr0Paging) == 0
            || cpu.ReadCr3() != (uint)s_mm.Vmm.KernelDirectory.Value)
            return Checked(MmStatus.VmmNotActive, "vmm", cpu.ReadCr3());
        HeapCheck heap = s_mm.Heap.CheckIntegrity();
        if (!heap.IsOk)
            return Checked(MmStatuses.Of(heap.Status), "heap", heap.Address);
        return (int)MmStatus.Ok;
    }

    private static int Checked(MmStatus status, string layer, ulong address)
    {
        if (Log.Enabled)
        {
            Log.Begin();
            Log.Append("mm_check: ");
            Log.Append(layer);
            Log.Append(": ");
            Log.Status(status);
            Log.Append(" at ");
            Log.Hex(address);
            Log.End();
        }
        return (int)status;
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_mm_status_name", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static byte* MmStatusName(int status) => MmStatuses.Name((MmStatus)status);

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_mm_set_log", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void MmSetLog(delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, void> log) => Log.SetSink(log);

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_mm_last_status", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static int MmLastStatus() => (int)s_last;

    [UnmanagedCallersOnly(EntryPoint = "mioos_cs_mm_stats", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void MmStats(MmStatsRecord* output)
    {
        if (output == null)
            return;
        *output = default;
        if (s_mm.Reached >= BringUpStage.Pmm)
        {
            PmmStats p = s_mm.Pmm.Stats;
            output->InstalledBytes = p.InstalledBytes;
            output->UsableFramesLow = p.UsableFramesLow;
            output->UsableFramesHigh = p.UsableFramesHigh;
            output->UntrackedFramesHigh = p.UntrackedFramesHigh;
            output->ReservedFrames = p.ReservedFrames;
            output->FreeFramesLow = p.FreeFramesLow;
            output->FreeFramesHigh = p.FreeFramesHigh;
            output->UsedFrames = p.UsedFrames;
            output->FailedFrameAllocations = p.FailedAllocations;
            output->BadFrameFrees = p.BadFrees;
            output->DoubleFrameFrees = p.DoubleFrees;
            output->PmmMetadataBase = p.MetadataBase;
            output->PmmMetadataLength = p.MetadataLength;
            output->FreeExtents = p.FreeExtents;
            output->FrameAllocations = p.Allocations;
        }
        if (s_mm.Reached >= BringUpStage.Vmm)
        {
            PagingCounts c = s_mm.Vmm.Count();
            output->PagingEnabled = s_mm.Vmm.IsPagingEnabled ? 1u : 0u;
            output->PageDirectory = (uint)s_mm.Vmm.KernelDirectory.Value;
            output->PageTables = c.PageTables;
            output->Pages4K = c.Mapped4K;
            output->Pages4M = c.Mapped4M;
            output->LargePageAddressBits = (uint)s_mm.Vmm.LargePageAddressBits;
        }
        if (s_mm.Reached >= BringUpStage.Heap)
        {
            HeapStats h = s_mm.Heap.Stats();
            output->HeapStart = h.Start;
            output->HeapSize = h.SizeBytes;
            output->HeapUsed = h.UsedBytes;
            output->HeapFree = h.FreeBytes;
            output->HeapBlocks = h.Blocks;
            output->HeapFreeBlocks = h.FreeBlocks;
            output->HeapLargestFree = h.LargestFree;
            output->HeapSegments = h.Segments;
            output->HeapFragmentationPerMille = h.FragmentationPerMille;
            output->HeapPeakInUse = h.PeakInUseExtent;
            output->HeapGrows = h.Grows;
            output->HeapMisuseCount = h.MisuseCount;
            output->HeapLastMisuse = (int)MmStatuses.Of(h.LastMisuse);
            output->HeapLastMisuseAddress = h.LastMisuseAddress;
        }
    }
}

/// <summary><c>struct mm_stats</c> of the header, field for field (i386 layout: 8-byte fields 4-aligned, as gcc -m32
/// lays them out; a test checks the offsets against the header).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct MmStatsRecord
{
    public ulong InstalledBytes;
    public ulong UsableFramesLow;
    public ulong UsableFramesHigh;
    public ulong UntrackedFramesHigh;
    public ulong ReservedFrames;
    public ulong FreeFramesLow;
    public ulong FreeFramesHigh;
    public ulong UsedFrames;
    public ulong FailedFrameAllocations;
    public ulong BadFrameFrees;
    public ulong DoubleFrameFrees;
    public ulong PmmMetadataBase;
    public ulong PmmMetadataLength;
    public uint FreeExtents;
    public uint FrameAllocations;
    public uint PagingEnabled;
    public uint PageDirectory;
    public uint PageTables;
    public uint Pages4K;
    public uint Pages4M;
    public uint LargePageAddressBits;
    public uint HeapStart;
    public uint HeapSize;
    public uint HeapUsed;
    public uint HeapFree;
    public uint HeapBlocks;
    public uint HeapFreeBlocks;
    public uint HeapLargestFree;
    public uint HeapSegments;
    public uint HeapFragmentationPerMille;
    public uint HeapPeakInUse;
    public uint HeapGrows;
    public uint HeapMisuseCount;
    public int HeapLastMisuse;
    public uint HeapLastMisuseAddress;
}
