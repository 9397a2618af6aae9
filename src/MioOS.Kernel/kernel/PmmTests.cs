using System;
using MioOS.Memory;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Kernel;

/// <summary>The PMM the bring-up started, on the real (emulated) machine, before paging: its figures against the
/// firmware's, then frame allocation on real RAM (first fit, merge, misuse, alignment, high memory, exhaustion).</summary>
internal static unsafe class PmmTests
{
    public static bool Run(BringUpResult result)
    {
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        SelfTestLog.Begin("pmm.init");
        if (!result.IsOk)
        {
            SelfTestLog.Fail("init status", (ulong)result.Status);
            Serial.Write("  at ");
            Serial.WriteHex(result.Address);
            Serial.WriteLine();
            return false;
        }
        ref PhysicalMemoryManager pmm = ref mm.Pmm;
        PmmStats stats = pmm.Stats;
        Serial.Write("free ");
        Serial.WriteDec(stats.FreeFramesLow);
        Serial.Write(" low + ");
        Serial.WriteDec(stats.FreeFramesHigh);
        Serial.Write(" high frames, metadata ");
        Serial.WriteHex(stats.MetadataBase);
        Serial.Write("+");
        Serial.WriteHex(stats.MetadataLength);
        Serial.Write(' ');
        ulong availableHigh = mm.Firmware.UsableBytesAbove4G;
        SelfTestLog.Check(stats.FreeFramesLow > 0 && stats.UsableFramesLow * Frames.Size <= mm.Firmware.UsableBytesBelow4G
            && (availableHigh == 0 || stats.FreeFramesHigh + stats.UntrackedFramesHigh > 0), "figures");

        SelfTestLog.Begin("pmm.integrity");
        PmmIntegrity integrity = pmm.CheckIntegrity();
        SelfTestLog.Check(integrity.IsOk, "integrity walk");
        BootModules.CheckReserved(ref pmm);

        AllocFreeMerge(ref pmm);
        RealFrames(ref pmm, mm.Window);
        Misuse(ref pmm);
        Aligned(ref pmm);
        HighMemory(ref pmm, availableHigh);
        Exhaustion(ref pmm);
        return true;
    }

    private static void AllocFreeMerge(ref PhysicalMemoryManager pmm)
    {
        SelfTestLog.Begin("pmm.alloc-free-merge");
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
        SelfTestLog.Check(ok, "addresses, merge or counts");
    }

    /// <summary>Frames handed out are real RAM: write a pattern into each, read it back.</summary>
    private static void RealFrames(ref PhysicalMemoryManager pmm, MemoryWindow window)
    {
        SelfTestLog.Begin("pmm.frames-are-ram");
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
        SelfTestLog.Check(ok, "pattern");
    }

    private static void Misuse(ref PhysicalMemoryManager pmm)
    {
        SelfTestLog.Begin("pmm.misuse-reported");
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
        SelfTestLog.Check(ok, "a misuse was not refused and counted");
    }

    /// <summary>The lowest 4 MiB-aligned run of 1024 free low frames, found by walking the free extents.</summary>
    public static bool LowestFree4MiB(ref PhysicalMemoryManager pmm, out ulong address)
    {
        var cursor = pmm.FreeExtents(FrameRegion.Low);
        while (cursor.Next(out PhysicalAddress start, out uint frames))
        {
            ulong aligned = (start.Value + Frames.LargeOffsetMask) & ~(ulong)Frames.LargeOffsetMask;
            if (aligned + Frames.LargeSize <= start.Value + ((ulong)frames << Frames.Shift))
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
        SelfTestLog.Begin("pmm.aligned-4mib");
        bool exists = LowestFree4MiB(ref pmm, out ulong expected);
        PmmStatus status = pmm.AllocFrames(Frames.PerLargePage, FrameRegion.Low, Frames.PerLargePage, out PhysicalAddress big);
        bool ok;
        if (exists)
        {
            Serial.WriteHex(big.Value);
            Serial.Write(' ');
            // First fit: exactly the lowest aligned run the free extents hold.
            ok = status == PmmStatus.Ok && big.Value == expected && pmm.AllocationLength(big) == Frames.PerLargePage;
            ok &= pmm.FreeFrame(big) == PmmStatus.Ok;
        }
        else
        {
            Serial.Write("no 4 MiB-aligned run free ");
            ok = status == PmmStatus.NoContiguousRun || status == PmmStatus.OutOfMemory;
        }
        ok &= pmm.CheckIntegrity().IsOk;
        SelfTestLog.Check(ok, "the lowest 4 MiB-aligned run of 1024 frames");
    }

    private static void HighMemory(ref PhysicalMemoryManager pmm, ulong availableHigh)
    {
        SelfTestLog.Begin("pmm.high-region");
        PmmStats stats = pmm.Stats;
        PmmStatus status = pmm.AllocFrames(Frames.PerLargePage, FrameRegion.High, Frames.PerLargePage, out PhysicalAddress high);
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
            ok = status == PmmStatus.Ok && high.Value >= AddressLimits.FourGiB && (high.Value & Frames.LargeOffsetMask) == 0;
            // Never identity-mappable: refused, nothing taken.
            var none = default(NoFrameMapper);
            ok &= pmm.AllocFrames(1, FrameRegion.High, 1, true, ref none, out _) == PmmStatus.NotIdentityMappable;
            ok &= pmm.FreeFrame(high) == PmmStatus.Ok;
        }
        ok &= pmm.CheckIntegrity().IsOk && pmm.Stats.FreeFramesHigh == stats.FreeFramesHigh;
        SelfTestLog.Check(ok, "high memory handed out only on request, 4 MiB aligned");
    }

    private static void Exhaustion(ref PhysicalMemoryManager pmm)
    {
        SelfTestLog.Begin("pmm.exhaustion");
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
        SelfTestLog.Check(ok, "out of memory, or not all given back");
    }
}
