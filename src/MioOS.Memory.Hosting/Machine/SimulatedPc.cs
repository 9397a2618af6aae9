using System;
using System.Collections.Generic;
using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Hosting.Machine;

/// <summary>A boot that could not complete: says which stage refused and why.</summary>
public sealed class BootFailedException(string stage, string message) : Exception($"{stage}: {message}")
{
    /// <summary>"boot info", "memory map", "pmm", "vmm" or "heap".</summary>
    public string Stage { get; } = stage;
}

/// <summary>
/// A simulated PC: RAM, a CPU with its MMU, a loader that writes genuine multiboot information, and the core's
/// <see cref="MemorySubsystem{TCpu}"/> brought up on it exactly as the kernel's <c>kmain</c> does it, through the
/// PMM stage: parse the boot info, sanitise the map, start the PMM. <see cref="PagingMachine"/> and
/// <see cref="KernelMachine"/> go on with the same bring-up to the VMM and the heap.
/// </summary>
public sealed class SimulatedPc : IDisposable
{
    /// <summary>Capacity of the parser's output buffers (what the kernel gives it on its stack).</summary>
    public const int MaxModules = 64, MaxRegions = 256;

    private const ulong MinimumRam = 16ul << 20;

    /// <summary>The memory subsystem of this PC (a handle; its state is in the simulated RAM). Hosts continue its
    /// bring-up in place, so this is a field.</summary>
    public MemorySubsystem<SimulatedCpuPort> Subsystem;

    private readonly MemoryMapEntry[] _raw = new MemoryMapEntry[MemoryMapSanitizer.MaxEntries];
    private readonly MemoryMapEntry[] _map = new MemoryMapEntry[2 * MemoryMapSanitizer.MaxEntries];
    private readonly BootModule[] _modules = new BootModule[MaxModules];
    private readonly ReservedRange[] _regions = new ReservedRange[MaxRegions];

    private unsafe SimulatedPc(MachineConfig config, SimulatedRam ram)
    {
        Config = config;
        Ram = ram;
        Window = ram.DirectWindow;
        Cpu = new SimulatedCpu(ram.Base, ram.Size, CpuModel.Qemu32);
        Checked = new CheckedMemory(Cpu);
    }

    /// <summary>What the machine was booted with.</summary>
    public MachineConfig Config { get; }

    /// <summary>Physical memory.</summary>
    public SimulatedRam Ram { get; }

    /// <summary>A direct window over the RAM, for the host to look at memory (the core uses <see cref="Checked"/>).</summary>
    public MemoryWindow Window { get; }

    /// <summary>The CPU: control registers, CPUID, MMU and TLB.</summary>
    public SimulatedCpu Cpu { get; }

    /// <summary>The checked window every access of the core goes through (through the MMU once paging is on).</summary>
    public CheckedMemory Checked { get; }

    /// <summary>EAX/EBX the loader handed over.</summary>
    public LoaderHandoff Handoff { get; private set; }

    /// <summary>The kernel layout.</summary>
    public KernelLayout Layout => Subsystem.Layout;

    /// <summary>What the parser found.</summary>
    public BootInfo BootInfo => Subsystem.BootInfo;

    /// <summary>The raw map as the parser read it from the boot info.</summary>
    public IReadOnlyList<MemoryMapEntry> RawMap => new ArraySegment<MemoryMapEntry>(_raw, 0, Subsystem.BootInfo.MapEntryCount);

    /// <summary>The modules the parser found.</summary>
    public IReadOnlyList<BootModule> Modules => new ArraySegment<BootModule>(_modules, 0, Subsystem.BootInfo.ModuleCount);

    /// <summary>The regions the loader wrote.</summary>
    public IReadOnlyList<ReservedRange> BootRegions => new ArraySegment<ReservedRange>(_regions, 0, Subsystem.BootInfo.RegionCount);

    /// <summary>The sanitised map.</summary>
    public IReadOnlyList<MemoryMapEntry> Map => new ArraySegment<MemoryMapEntry>(_map, 0, Subsystem.Sanitize.Count);

    /// <summary>What the sanitiser dropped.</summary>
    public SanitizeReport SanitizeReport => Subsystem.Sanitize;

    /// <summary>The firmware's figures, from the sanitised map before any reservation.</summary>
    public FirmwareFigures Firmware => Subsystem.Firmware;

    /// <summary>The PMM's start result.</summary>
    public PmmInitResult PmmResult { get; private set; }

    /// <summary>The PMM (valid when <see cref="PmmResult"/> is ok).</summary>
    public PhysicalMemoryManager Pmm => Subsystem.Pmm;

    /// <summary>True when every layer came up.</summary>
    public bool Booted => Subsystem.Reached >= BringUpStage.Pmm;

    /// <summary>The bring-up's buffers (the kernel keeps them on its stack).</summary>
    public BringUpBuffers Buffers => new(_raw, _map, _modules, _regions);

    /// <summary>
    /// Builds the machine and brings the core up through the PMM. Boot-info and map errors throw
    /// <see cref="BootFailedException"/>; a PMM that refuses to start is recorded in <see cref="PmmResult"/> (the
    /// firmware figures stay readable).
    /// </summary>
    public static SimulatedPc Start(MachineConfig config)
    {
        var ram = new SimulatedRam(RamSizeFor(config));
        var pc = new SimulatedPc(config, ram);
        try
        {
            pc.Load();
            return pc;
        }
        catch
        {
            pc.Dispose();
            throw;
        }
    }

    /// <summary>Like <see cref="Start"/>, but a PMM that refuses to start throws too.</summary>
    public static SimulatedPc Boot(MachineConfig config)
    {
        SimulatedPc pc = Start(config);
        if (!pc.PmmResult.IsOk)
        {
            string message = BootErrorText.Describe(pc.PmmResult, pc.Layout);
            pc.Dispose();
            throw new BootFailedException("pmm", message);
        }
        return pc;
    }

    private void Load()
    {
        KernelLayout layout = Config.Capture is null ? Config.Layout : new KernelLayout(KernelLayout.DefaultKernelBase, BootInfoCapture.CapturedKernelEnd);
        Handoff = Config.Capture?.WriteTo(Ram) ?? (Config.Protocol == BootProtocol.Multiboot1
            ? MultibootImageWriter.WriteMultiboot1(Ram, layout.KernelEnd, Config.MemoryMap, Config.CommandLine.Length > 0 ? Config.CommandLine : "kernel.bin ", Config.Modules)
            : MultibootImageWriter.WriteMultiboot2(Ram, layout.KernelEnd, Config.MemoryMap, Config.CommandLine, Config.Modules));

        Subsystem = MemorySubsystem<SimulatedCpuPort>.ForHandoff(Checked.Window, new SimulatedCpuPort(Cpu), Handoff.Magic,
            Handoff.InfoAddress, layout.KernelBase, layout.KernelEnd);
        BringUpResult r = Subsystem.BringUp(BringUpStage.Pmm, Buffers);
        switch (r.FailedStage)
        {
            case BringUpStage.BootInfo:
                throw new BootFailedException("boot info", BootErrorText.Describe(r.BootInfo));
            case BringUpStage.MemoryMap:
                throw new BootFailedException("memory map", $"the sanitiser refused the map ({(SanitizeStatus)r.Status})");
            case BringUpStage.Pmm:
                PmmResult = r.Pmm;
                break;
        }
    }

    /// <summary>Backs every address an available range names (high memory included), up to 2 TiB.</summary>
    private static ulong RamSizeFor(MachineConfig config)
    {
        if (config.Capture is not null)
            return 8ul << 30;
        ulong top = MinimumRam;
        foreach (MemoryMapEntry e in config.MemoryMap)
        {
            if (e.Type != (uint)MemoryType.Available || e.Length == 0 || e.Length - 1 > ulong.MaxValue - e.Base)
                continue;
            top = Math.Max(top, Math.Min(e.Base + e.Length, SimulatedRam.MaxSize));
        }
        return top;
    }

    /// <summary>Strings the loader passed, read back from RAM.</summary>
    public string ReadString(ulong address, uint length) =>
        address == 0 ? "" : System.Text.Encoding.ASCII.GetString(Ram.Bytes(address, (int)length));

    /// <summary>Releases the RAM.</summary>
    public void Dispose()
    {
        Checked.Dispose();
        Ram.Dispose();
    }
}
