using System;
using System.Collections.Generic;
using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Hosting.Machine;

/// <summary>A boot that could not complete: says which stage refused and why.</summary>
public sealed class BootFailedException(string stage, string message) : Exception($"{stage}: {message}")
{
    /// <summary>"boot info", "memory map" or "pmm".</summary>
    public string Stage { get; } = stage;
}

/// <summary>
/// A simulated PC: RAM, a loader that writes genuine multiboot information, and the core brought up on it the
/// way the kernel's <c>kmain</c> does: parse the boot info, sanitise the map, start the PMM.
/// </summary>
public sealed class SimulatedPc : IDisposable
{
    /// <summary>Capacity of the parser's output buffers (what the kernel gives it on its stack).</summary>
    public const int MaxModules = 64, MaxRegions = 256;

    private const ulong MinimumRam = 16ul << 20;

    private SimulatedPc(MachineConfig config, SimulatedRam ram)
    {
        Config = config;
        Ram = ram;
        Window = ram.DirectWindow;
    }

    /// <summary>What the machine was booted with.</summary>
    public MachineConfig Config { get; }

    /// <summary>Physical memory.</summary>
    public SimulatedRam Ram { get; }

    /// <summary>The window the core uses.</summary>
    public MemoryWindow Window { get; }

    /// <summary>EAX/EBX the loader handed over.</summary>
    public LoaderHandoff Handoff { get; private set; }

    /// <summary>The kernel layout.</summary>
    public KernelLayout Layout { get; private set; }

    /// <summary>The parser's result.</summary>
    public BootInfoResult BootInfoResult { get; private set; }

    /// <summary>What the parser found.</summary>
    public BootInfo BootInfo { get; private set; }

    /// <summary>The raw map as the parser read it from the boot info.</summary>
    public IReadOnlyList<MemoryMapEntry> RawMap { get; private set; } = [];

    /// <summary>The modules the parser found.</summary>
    public IReadOnlyList<BootModule> Modules { get; private set; } = [];

    /// <summary>The regions the loader wrote.</summary>
    public IReadOnlyList<BootRegion> BootRegions { get; private set; } = [];

    /// <summary>The sanitised map.</summary>
    public IReadOnlyList<MemoryMapEntry> Map { get; private set; } = [];

    /// <summary>What the sanitiser dropped.</summary>
    public SanitizeReport SanitizeReport { get; private set; }

    /// <summary>The PMM's start result.</summary>
    public PmmInitResult PmmResult { get; private set; }

    /// <summary>The PMM (valid when <see cref="PmmResult"/> is ok).</summary>
    public PhysicalMemoryManager Pmm { get; private set; }

    /// <summary>True when every layer came up.</summary>
    public bool Booted => BootInfoResult.IsOk && PmmResult.IsOk;

    /// <summary>
    /// Builds the machine and brings the core up. Boot-info and map errors throw <see cref="BootFailedException"/>;
    /// a PMM that refuses to start is recorded in <see cref="PmmResult"/> (the firmware figures stay readable).
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
        Layout = Config.Capture is null ? Config.Layout : new KernelLayout(KernelLayout.DefaultKernelBase, BootInfoCapture.CapturedKernelEnd);
        Handoff = Config.Capture?.WriteTo(Ram) ?? (Config.Protocol == BootProtocol.Multiboot1
            ? MultibootImageWriter.WriteMultiboot1(Ram, Layout.KernelEnd, Config.MemoryMap, Config.CommandLine.Length > 0 ? Config.CommandLine : "kernel.bin ", Config.Modules)
            : MultibootImageWriter.WriteMultiboot2(Ram, Layout.KernelEnd, Config.MemoryMap, Config.CommandLine, Config.Modules));

        var raw = new MemoryMapEntry[MemoryMapSanitizer.MaxEntries];
        var modules = new BootModule[MaxModules];
        var regions = new BootRegion[MaxRegions];
        BootInfoResult = MultibootParser.Parse(Window, Handoff.Magic, Handoff.InfoAddress, raw, modules, regions, out BootInfo info);
        BootInfo = info;
        if (!BootInfoResult.IsOk)
            throw new BootFailedException("boot info", BootErrorText.Describe(BootInfoResult));
        RawMap = raw[..info.MapEntryCount];
        Modules = modules[..info.ModuleCount];
        BootRegions = regions[..info.RegionCount];

        var map = new MemoryMapEntry[2 * MemoryMapSanitizer.MaxEntries];
        SanitizeStatus status = MemoryMapSanitizer.Sanitize(RawMap is MemoryMapEntry[] a ? a : [.. RawMap], map, out SanitizeReport report);
        if (status != SanitizeStatus.Ok)
            throw new BootFailedException("memory map", $"the sanitiser refused the map ({status})");
        SanitizeReport = report;
        Map = map[..report.Count];

        PmmResult = PhysicalMemoryManager.Initialize(Window, Layout, map.AsSpan(0, report.Count), regions.AsSpan(0, info.RegionCount), out PhysicalMemoryManager pmm);
        Pmm = pmm;
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
    public void Dispose() => Ram.Dispose();
}
