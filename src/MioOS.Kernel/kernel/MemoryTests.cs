using System;
using MioOS.Memory.Boot;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Kernel;

/// <summary>The core on the real (emulated) machine: the loader's boot info through the core parser, the PMM
/// initialised from it, then frame allocation tests on real RAM.</summary>
internal static unsafe class MemoryTests
{
    private const int RawCapacity = 128;
    private const int MapCapacity = 2 * RawCapacity;
    private const int ModuleCapacity = 16;
    private const int RegionCapacity = 64;

    private static PhysicalMemoryManager s_pmm;
    private static bool s_pmmReady;

    /// <summary>The PMM, once <see cref="Run"/> initialised it.</summary>
    public static ref PhysicalMemoryManager Pmm => ref s_pmm;

    public static bool PmmReady => s_pmmReady;

    public static void Run(uint magic, uint info)
    {
        MemoryWindow window = Metal.Window;
        Span<MemoryMapEntry> raw = stackalloc MemoryMapEntry[RawCapacity];
        Span<MemoryMapEntry> map = stackalloc MemoryMapEntry[MapCapacity];
        Span<BootModule> modules = stackalloc BootModule[ModuleCapacity];
        Span<BootRegion> regions = stackalloc BootRegion[RegionCapacity];

        SelfTest.Begin("boot.parse");
        BootInfoResult parsed = MultibootParser.Parse(window, magic, info, raw, modules, regions, out BootInfo bi);
        if (!parsed.IsOk)
        {
            SelfTest.Fail("parser status", (ulong)parsed.Status);
            return;
        }
        Serial.Write(bi.Protocol == BootProtocol.Multiboot1 ? "mb1 " : "mb2 ");
        Serial.WriteDec((ulong)bi.MapEntryCount);
        Serial.Write(" entries, ");
        Serial.WriteDec((ulong)bi.ModuleCount);
        Serial.Write(" modules, ");
        Serial.WriteDec((ulong)bi.RegionCount);
        Serial.Write(" boot regions ");
        bool protocolMatches = magic == MultibootParser.Multiboot1Magic
            ? bi.Protocol == BootProtocol.Multiboot1 : bi.Protocol == BootProtocol.Multiboot2;
        SelfTest.Check(protocolMatches && bi.MapEntryCount > 0 && !bi.MapFromBasicMemInfo, "protocol or memory map");
        CommandLine.Set(bi.CommandLine, bi.CommandLineLength);
        CommandLine.Print();
        BootModules.Inventory(bi, modules.Slice(0, bi.ModuleCount), regions.Slice(0, bi.RegionCount));

        SelfTest.Begin("boot.sanitize");
        SanitizeStatus sanitized = MemoryMapSanitizer.Sanitize(raw.Slice(0, bi.MapEntryCount), map, out SanitizeReport report);
        if (sanitized != SanitizeStatus.Ok)
        {
            SelfTest.Fail("sanitizer status", (ulong)sanitized);
            return;
        }
        ulong availableLow = 0, availableHigh = 0;
        for (int i = 0; i < report.Count; i++)
        {
            if (map[i].Kind != MemoryType.Available)
                continue;
            if (map[i].Base >= AddressLimits.FourGiB)
                availableHigh += map[i].Length;
            else
                availableLow += map[i].Length;
        }
        Serial.WriteDec((ulong)report.Count);
        Serial.Write(" ranges, available ");
        Serial.WriteDec(availableLow >> 20);
        Serial.Write(" MiB low + ");
        Serial.WriteDec(availableHigh >> 20);
        Serial.Write(" MiB high ");
        SelfTest.Check(report.Count > 0 && availableLow > 0, "no usable low memory");
        for (int i = 0; i < report.Count; i++)
        {
            Serial.Write("  map ");
            Serial.WriteHex(map[i].Base, 9);
            Serial.Write("-");
            Serial.WriteHex(map[i].Base + map[i].Length, 9);
            Serial.Write(' ');
            Serial.WriteLine(TypeName(map[i].Kind));
        }

        SelfTest.Begin("pmm.init");
        var layout = new KernelLayout(Native.ImageBase(), Native.ImageEnd());
        PmmInitResult init = PhysicalMemoryManager.Initialize(window, layout, map.Slice(0, report.Count),
            regions.Slice(0, bi.RegionCount), out s_pmm);
        if (!init.IsOk)
        {
            SelfTest.Fail("init status", (ulong)init.Status);
            Serial.Write("  at ");
            Serial.WriteHex(init.Address);
            Serial.WriteLine();
            return;
        }
        s_pmmReady = true;
        PmmStats stats = s_pmm.Stats;
        Serial.Write("free ");
        Serial.WriteDec(stats.FreeFramesLow);
        Serial.Write(" low + ");
        Serial.WriteDec(stats.FreeFramesHigh);
        Serial.Write(" high frames, metadata ");
        Serial.WriteHex(stats.MetadataBase);
        Serial.Write("+");
        Serial.WriteHex(stats.MetadataLength);
        Serial.Write(' ');
        SelfTest.Check(stats.FreeFramesLow > 0 && stats.UsableFramesLow * Frames.Size <= availableLow
            && (availableHigh == 0 || stats.FreeFramesHigh + stats.UntrackedFramesHigh > 0), "figures");

        SelfTest.Begin("pmm.integrity");
        PmmIntegrity integrity = s_pmm.CheckIntegrity();
        SelfTest.Check(integrity.IsOk, "integrity walk");
        BootModules.CheckReserved(ref s_pmm);

        AllocFreeMerge(ref s_pmm);
        RealFrames(ref s_pmm, window);
        Misuse(ref s_pmm);
        Aligned(ref s_pmm);
        HighMemory(ref s_pmm, availableHigh);
        Exhaustion(ref s_pmm);
    }

    private static string TypeName(MemoryType type) => type switch
    {
        MemoryType.Available => "available",
        MemoryType.AcpiReclaimable => "acpi-reclaimable",
        MemoryType.AcpiNvs => "acpi-nvs",
        MemoryType.BadRam => "bad-ram",
        _ => "reserved",
    };

    private static void AllocFreeMerge(ref PhysicalMemoryManager pmm)
    {
        SelfTest.Begin("pmm.alloc-free-merge");
        PmmStats before = pmm.Stats;
        bool ok = pmm.AllocFrame(1, out PhysicalAddress a) == PmmStatus.Ok;
        ok &= pmm.AllocFrame(3, out PhysicalAddress b) == PmmStatus.Ok;
        ok &= pmm.AllocFrame(1, out PhysicalAddress c) == PmmStatus.Ok;
        // First fit from one free extent: consecutive, lowest addresses first.
        ok &= b.Value == a.Value + Frames.Size && c.Value == b.Value + 3 * Frames.Size;
        ok &= pmm.AllocationLength(b) == 3;
        ok &= pmm.FreeFrame(b) == PmmStatus.Ok;
        ok &= pmm.Stats.FreeExtents == before.FreeExtents + 1; // a hole between a and c
        ok &= pmm.AllocFrame(2, out PhysicalAddress d) == PmmStatus.Ok && d.Value == b.Value; // fits the hole
        ok &= pmm.FreeFrame(a) == PmmStatus.Ok && pmm.FreeFrame(c) == PmmStatus.Ok && pmm.FreeFrame(d) == PmmStatus.Ok;
        PmmStats after = pmm.Stats;
        ok &= after.FreeFramesLow == before.FreeFramesLow && after.FreeExtents == before.FreeExtents; // fully merged
        ok &= pmm.CheckIntegrity().IsOk;
        Serial.Write("first ");
        Serial.WriteHex(a.Value);
        Serial.Write(' ');
        SelfTest.Check(ok, "addresses, merge or counts");
    }

    /// <summary>Frames handed out are real RAM: write a pattern into each, read it back.</summary>
    private static void RealFrames(ref PhysicalMemoryManager pmm, MemoryWindow window)
    {
        SelfTest.Begin("pmm.frames-are-ram");
        const uint count = 64;
        bool ok = pmm.AllocFrame(count, out PhysicalAddress run) == PmmStatus.Ok;
        if (ok)
        {
            for (uint i = 0; i < count * Frames.Size / 4; i++)
                window.Write(run.Value + i * 4, i * 2654435761u);
            for (uint i = 0; i < count * Frames.Size / 4; i++)
                ok &= window.Read<uint>(run.Value + i * 4) == i * 2654435761u;
            ok &= pmm.FreeFrame(run) == PmmStatus.Ok;
        }
        ok &= pmm.CheckIntegrity().IsOk;
        SelfTest.Check(ok, "pattern");
    }

    private static void Misuse(ref PhysicalMemoryManager pmm)
    {
        SelfTest.Begin("pmm.misuse-reported");
        PmmStats before = pmm.Stats;
        bool ok = pmm.AllocFrame(4, out PhysicalAddress a) == PmmStatus.Ok;
        ok &= pmm.FreeFrame(new PhysicalAddress(a.Value + Frames.Size)) == PmmStatus.NotAllocationStart;
        ok &= pmm.FreeFrame(new PhysicalAddress(a.Value + 1)) == PmmStatus.Misaligned;
        ok &= pmm.FreeFrame(new PhysicalAddress(0x1000)) != PmmStatus.Ok; // low 1 MiB: never handed out
        ok &= pmm.AllocFrame(0, out _) == PmmStatus.ZeroFrames;
        ok &= pmm.FreeFrame(a) == PmmStatus.Ok;
        ok &= pmm.FreeFrame(a) == PmmStatus.AlreadyFree; // double free: reported, nothing changes
        PmmStats after = pmm.Stats;
        ok &= after.DoubleFrees == before.DoubleFrees + 1 && after.FreeFramesLow == before.FreeFramesLow;
        ok &= pmm.CheckIntegrity().IsOk;
        SelfTest.Check(ok, "a misuse was not refused and counted");
    }

    /// <summary>The lowest 4 MiB-aligned run of 1024 free low frames, found by walking the free extents.</summary>
    public static bool LowestFree4MiB(ref PhysicalMemoryManager pmm, out ulong address)
    {
        var cursor = pmm.FreeExtents(FrameRegion.Low);
        while (cursor.Next(out PhysicalAddress start, out uint frames))
        {
            ulong aligned = (start.Value + 0x3FFFFF) & ~0x3FFFFFUL;
            if (aligned + 0x400000 <= start.Value + ((ulong)frames << 12))
            {
                address = aligned;
                return true;
            }
        }
        address = 0;
        return false;
    }

    private static void Aligned(ref PhysicalMemoryManager pmm)
    {
        SelfTest.Begin("pmm.aligned-4mib");
        bool exists = LowestFree4MiB(ref pmm, out ulong expected);
        PmmStatus status = pmm.AllocFrames(1024, FrameRegion.Low, 1024, out PhysicalAddress big);
        bool ok;
        if (exists)
        {
            Serial.WriteHex(big.Value);
            Serial.Write(' ');
            // First fit: exactly the lowest aligned run the free extents hold.
            ok = status == PmmStatus.Ok && big.Value == expected && pmm.AllocationLength(big) == 1024;
            ok &= pmm.FreeFrame(big) == PmmStatus.Ok;
        }
        else
        {
            Serial.Write("no 4 MiB-aligned run free ");
            ok = status == PmmStatus.NoContiguousRun || status == PmmStatus.OutOfMemory;
        }
        ok &= pmm.CheckIntegrity().IsOk;
        SelfTest.Check(ok, "the lowest 4 MiB-aligned run of 1024 frames");
    }

    private static void HighMemory(ref PhysicalMemoryManager pmm, ulong availableHigh)
    {
        SelfTest.Begin("pmm.high-region");
        PmmStats stats = pmm.Stats;
        PmmStatus status = pmm.AllocFrames(1024, FrameRegion.High, 1024, out PhysicalAddress high);
        bool ok;
        if (availableHigh == 0)
        {
            Serial.Write("no memory above 4 GiB ");
            ok = status == PmmStatus.OutOfMemory && stats.FreeFramesHigh == 0;
        }
        else
        {
            Serial.WriteHex(high.Value);
            Serial.Write(' ');
            ok = status == PmmStatus.Ok && high.Value >= AddressLimits.FourGiB && (high.Value & 0x3FFFFF) == 0;
            // Never identity-mappable: refused, nothing taken.
            var none = default(NoFrameMapper);
            ok &= pmm.AllocFrames(1, FrameRegion.High, 1, true, ref none, out _) == PmmStatus.NotIdentityMappable;
            ok &= pmm.FreeFrame(high) == PmmStatus.Ok;
        }
        ok &= pmm.CheckIntegrity().IsOk && pmm.Stats.FreeFramesHigh == stats.FreeFramesHigh;
        SelfTest.Check(ok, "high memory handed out only on request, 4 MiB aligned");
    }

    private static void Exhaustion(ref PhysicalMemoryManager pmm)
    {
        SelfTest.Begin("pmm.exhaustion");
        PmmStats stats = pmm.Stats;
        bool ok = pmm.AllocFrame((uint)stats.FreeFramesLow + 1, out _) == PmmStatus.OutOfMemory;
        // Take every low frame, extent by extent (lowest fit of each size), then give them all back.
        const int max = 64;
        PhysicalAddress* taken = stackalloc PhysicalAddress[max];
        int n = 0;
        while (n < max && pmm.Stats.FreeFramesLow > 0)
        {
            uint largest = 0;
            var cursor = pmm.FreeExtents(FrameRegion.Low);
            while (cursor.Next(out _, out uint frames))
                largest = frames > largest ? frames : largest;
            if (pmm.AllocFrame(largest, out taken[n]) != PmmStatus.Ok)
                break;
            n++;
        }
        ok &= pmm.Stats.FreeFramesLow == 0 && pmm.AllocFrame(1, out _) == PmmStatus.OutOfMemory;
        ok &= pmm.CheckIntegrity().IsOk;
        for (int i = 0; i < n; i++)
            ok &= pmm.FreeFrame(taken[i]) == PmmStatus.Ok;
        PmmStats after = pmm.Stats;
        ok &= after.FreeFramesLow == stats.FreeFramesLow && after.FreeExtents == stats.FreeExtents && pmm.CheckIntegrity().IsOk;
        Serial.WriteDec((ulong)n);
        Serial.Write(" runs ");
        SelfTest.Check(ok, "out of memory, or not all given back");
    }
}
