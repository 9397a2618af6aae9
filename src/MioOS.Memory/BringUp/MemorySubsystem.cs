using System;
using MioOS.Memory.Boot;
using MioOS.Memory.Heap;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory;

/// <summary>
/// The whole memory subsystem of one machine, and its one bring-up: boot info -> sanitised map -> PMM -> VMM
/// (paging on) -> heap, in the spec's order. The bare-metal kernel, the C library's <c>mm_init</c> and the
/// simulated PC all bring the subsystem up through <see cref="BringUp"/>; a host may stop after any stage (a
/// report of the firmware's map needs no paging) and go on later from where it stopped.
/// </summary>
/// <remarks>
/// A handle, like the layers it holds: their state lives in the memory they manage, so copies of this struct see
/// the same subsystem. Each layer takes its own lock (the platform's <see cref="LayerLock"/>), in one order: heap, then VMM, then PMM.
/// </remarks>
public struct MemorySubsystem<TCpu> where TCpu : struct, ICpu
{
    private MemoryWindow _window;
    private TCpu _cpu;
    private uint _magic;
    private uint _info;

    /// <summary>The physical memory manager (valid once <see cref="Reached"/> is <see cref="BringUpStage.Pmm"/> or later).</summary>
    public PhysicalMemoryManager Pmm;

    /// <summary>The virtual memory manager, paging on (valid from <see cref="BringUpStage.Vmm"/>).</summary>
    public VirtualMemoryManager<TCpu, PmmPageTableFrames> Vmm;

    /// <summary>The kernel heap (valid from <see cref="BringUpStage.Heap"/>).</summary>
    public KernelHeap<PmmHeapGrowth<VmmFrameMapper<TCpu, PmmPageTableFrames>>> Heap;

    /// <summary>What the boot-info stage read (counts, command line, loader name).</summary>
    public BootInfo BootInfo;

    /// <summary>What the sanitiser did to the raw map.</summary>
    public SanitizeReport Sanitize;

    /// <summary>The firmware's own figures, from the sanitised map before any reservation.</summary>
    public FirmwareFigures Firmware;

    /// <summary>Where the kernel image is and, from its base, where the heap goes (base + 0x100000).</summary>
    public KernelLayout Layout;

    /// <summary>What the kernel's page directory identity-maps (valid from <see cref="BringUpStage.Vmm"/>).</summary>
    public KernelSpaceLayout KernelSpace;

    /// <summary>The last stage that came up.</summary>
    public BringUpStage Reached;

    /// <summary>Options the heap stage creates the heap with (set before that stage runs).</summary>
    public HeapOptions HeapOptions;

    /// <summary>
    /// A subsystem about to be brought up from a multiboot handoff. Nothing is read or written yet.
    /// </summary>
    /// <param name="window">How the subsystem reaches memory: identity over physical memory below 4 GiB, before and
    /// after paging is on. The caller guarantees it stays valid for the subsystem's life.</param>
    /// <param name="cpu">The CPU seam (control registers, CPUID, <c>invlpg</c>).</param>
    /// <param name="multibootMagic">EAX at the kernel's entry (0x2BADB002 or 0x36D76289).</param>
    /// <param name="multibootInfo">EBX at the kernel's entry: the physical address of the info block.</param>
    /// <param name="kernelStart">The kernel image's first byte (physical, frame-aligned).</param>
    /// <param name="kernelEnd">The first byte after the image (its end symbol, bss included).</param>
    public static MemorySubsystem<TCpu> ForHandoff(MemoryWindow window, TCpu cpu, uint multibootMagic, uint multibootInfo,
        ulong kernelStart, ulong kernelEnd) => new()
    {
        _window = window,
        _cpu = cpu,
        _magic = multibootMagic,
        _info = multibootInfo,
        Layout = new KernelLayout(kernelStart, kernelEnd),
    };

    /// <summary>EAX at the kernel's entry, as given to <see cref="ForHandoff"/>.</summary>
    public readonly uint MultibootMagic => _magic;

    /// <summary>EBX at the kernel's entry: the info block's physical address.</summary>
    public readonly uint MultibootInfo => _info;

    /// <summary>The window the subsystem was brought up with.</summary>
    public readonly MemoryWindow Window => _window;

    /// <summary>The CPU seam the VMM drives.</summary>
    public readonly TCpu Cpu => _cpu;

    /// <summary>The mapper <c>Pmm.AllocFrame(n, identityMap: true, ...)</c> takes once paging is on.</summary>
    public readonly VmmFrameMapper<TCpu, PmmPageTableFrames> Mapper => new(Vmm);

    /// <summary>
    /// Runs every stage after <see cref="Reached"/> up to and including <paramref name="through"/>, stopping at the
    /// first that refuses (which is then reported, and <see cref="Reached"/> stays at the stage before it).
    /// </summary>
    /// <param name="through">The last stage to run (<see cref="BringUpStage.Heap"/> for all of them).</param>
    /// <param name="buffers">The boot-info and map stages' output; read again by the PMM stage. A later call that
    /// starts at the VMM or the heap does not touch them.</param>
    /// <remarks>Contract: the loader's info block, map and modules are intact and lie where the handoff says; the
    /// kernel image lies at [kernelStart, kernelEnd) below the heap; nothing else uses the memory the PMM will
    /// manage. After the PMM stage, memory is the PMM's to hand out: the caller takes frames only from it.</remarks>
    public BringUpResult BringUp(BringUpStage through, BringUpBuffers buffers)
    {
        while (Reached < through)
        {
            BringUpStage next = Reached + 1;
            BringUpResult r = next switch
            {
                BringUpStage.BootInfo => ReadBootInfo(buffers),
                BringUpStage.MemoryMap => SanitiseMap(buffers),
                BringUpStage.Pmm => StartPmm(buffers),
                BringUpStage.Vmm => StartVmm(),
                _ => StartHeap(),
            };
            if (!r.IsOk)
                return r;
            Reached = next;
        }
        return BringUpResult.Ok;
    }

    private BringUpResult ReadBootInfo(BringUpBuffers b)
    {
        BootInfoResult r = MultibootParser.Parse(_window, _magic, _info, b.RawMap, b.Modules, b.Regions, out BootInfo);
        return r.IsOk ? BringUpResult.Ok : new BringUpResult(BringUpStage.BootInfo, (int)r.Status, r.Address, r.Value);
    }

    private BringUpResult SanitiseMap(BringUpBuffers b)
    {
        SanitizeStatus s = MemoryMapSanitizer.Sanitize(b.RawMap.Slice(0, BootInfo.MapEntryCount), b.Map, out Sanitize);
        if (s != SanitizeStatus.Ok)
            return new BringUpResult(BringUpStage.MemoryMap, (int)s, 0, (ulong)BootInfo.MapEntryCount);
        Firmware = FirmwareFigures.Of(b.Map.Slice(0, Sanitize.Count));
        return BringUpResult.Ok;
    }

    private BringUpResult StartPmm(BringUpBuffers b)
    {
        PmmInitResult r = PhysicalMemoryManager.Initialize(_window, Layout, b.Map.Slice(0, Sanitize.Count),
            b.Regions.Slice(0, BootInfo.RegionCount), out Pmm);
        return r.IsOk ? BringUpResult.Ok : new BringUpResult(BringUpStage.Pmm, (int)r.Status, r.Address, 0);
    }

    private BringUpResult StartVmm()
    {
        VmmStatus s = VirtualMemoryManager<TCpu, PmmPageTableFrames>.Create(_window, _cpu, new PmmPageTableFrames(Pmm), out Vmm);
        if (s != VmmStatus.Ok)
            return new BringUpResult(BringUpStage.Vmm, (int)s, 0, 0);
        PmmStats stats = Pmm.Stats;
        KernelSpace = new KernelSpaceLayout
        {
            KernelStart = Layout.KernelBase,
            KernelEnd = Layout.KernelEnd,
            HeapStart = Layout.HeapStart,
            HeapEnd = Layout.HeapEnd,
            MetadataStart = stats.MetadataBase,
            MetadataEnd = stats.MetadataBase + stats.MetadataLength,
        };
        // The boot info and modules stay readable (read-only) once paging is on. The PMM reserved them all, so its
        // reserved list bounds how many there are.
        Span<ReservedRange> bootRanges = stackalloc ReservedRange[(int)Pmm.ReservedCount];
        int count = KernelSpaceLayout.CopyBootRanges(Pmm, bootRanges);
        s = Vmm.EnablePaging(KernelSpace, bootRanges.Slice(0, count));
        return s == VmmStatus.Ok ? BringUpResult.Ok : new BringUpResult(BringUpStage.Vmm, (int)s, 0, 0);
    }

    private BringUpResult StartHeap()
    {
        var growth = new PmmHeapGrowth<VmmFrameMapper<TCpu, PmmPageTableFrames>>(Pmm, Mapper);
        HeapStatus s = KernelHeap<PmmHeapGrowth<VmmFrameMapper<TCpu, PmmPageTableFrames>>>.Create(_window,
            (uint)Layout.HeapStart, (uint)KernelLayout.InitialHeapSize, growth, HeapOptions, out Heap);
        return s == HeapStatus.Ok ? BringUpResult.Ok : new BringUpResult(BringUpStage.Heap, (int)s, Layout.HeapStart, 0);
    }
}
