using MioOS.Memory;
using MioOS.Memory.Heap;
using MioOS.Memory.Physical;

namespace MioOS.Kernel.Smp;

/// <summary>
/// The battery's multiprocessor part, once every layer is up: find the CPUs, start the APs, run the stress battery
/// on all of them at once, walk the layers' integrity, then the shootdown test. Each CPU's part of a test is a test
/// line of its own (written by the BSP), so the verdict counts every CPU's tests.
/// </summary>
internal static unsafe class SmpTests
{
    public static void Run()
    {
        if (!Discover())
            return;
        StartAps();
        Stress();
        if (Processors.OnlineCount >= 2)
            ShootdownStaleReads();
        if (Processors.OnlineCount >= 3)
            ShootdownAnsweredWhileSpinning();
    }

    private static bool Discover()
    {
        SelfTestLog.Begin("smp.cpus");
        uint* r = stackalloc uint[4];
        Native.Cpuid(1, 0, r);
        Processors.Begin(r[1] >> 24); // the initial APIC ID (CPUID.1:EBX[31:24]) before the APIC is mapped
        if (!DeviceWindow.Reserve())
        {
            SelfTestLog.Fail("no frames below 2 GiB for the device window");
            return false;
        }
        bool listed = CpuDiscovery.Run();
        uint apic = DeviceWindow.MapApic(CpuDiscovery.ApicBase);
        if (apic == 0)
        {
            SelfTestLog.Fail("local APIC not mapped", CpuDiscovery.ApicBase);
            return false;
        }
        LocalApic.Attach(apic);
        Serial.WriteDec((ulong)Processors.Listed);
        Serial.Write(Processors.Listed == 1 ? " CPU (" : " CPUs (");
        Serial.Write(CpuDiscovery.Source);
        Serial.Write(", RSDP ");
        Serial.Write(FirmwarePointers.RsdpSource);
        Serial.Write("), ");
        Serial.WriteDec((ulong)Processors.Count);
        Serial.Write(" to run; local APIC ");
        Serial.WriteHex(CpuDiscovery.ApicBase, 8);
        Serial.Write(" at ");
        Serial.WriteHex(apic, 8);
        Serial.Write(' ');
        SelfTestLog.Check(listed && LocalApic.Id == Processors.ApicId(0), "no CPU table, or the BSP is not the CPU the APIC names");
        return true;
    }

    private static void StartAps()
    {
        SelfTestLog.Begin("smp.start-aps");
        // Every interrupt line masked at both 8259s: with IF on, only the APIC's IPIs arrive.
        Native.OutB(0x21, 0xFF);
        Native.OutB(0xA1, 0xFF);
        LocalApic.Enable();
        Shootdown.Enable();
        if (CommandLine.Contains("mioos.test=no-shootdown"))
            Shootdown.DropRequestsForHarness();
        Native.RestoreInterrupts(MetalLock.InterruptFlag);
        int wanted = Processors.Count - 1;
        if (wanted == 0)
        {
            SelfTestLog.Check(Processors.Listed == 1, "CPUs listed but none to start");
            return;
        }
        if (!ApStartup.ChooseTrampolinePage())
        {
            SelfTestLog.Fail("no free page below 636 KiB for the trampoline");
            return;
        }
        int online = ApStartup.StartAll();
        Serial.Write("trampoline ");
        Serial.WriteHex(ApStartup.TrampolinePage);
        Serial.Write(", ");
        Serial.WriteDec((ulong)online);
        Serial.Write('/');
        Serial.WriteDec((ulong)wanted);
        Serial.Write(" APs online ");
        SelfTestLog.Check(online == wanted, "an AP did not come online");
    }

    private static void Stress()
    {
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        mm.Heap.Trim(); // a spare segment kept or taken during the run would move the free frames: none on either side
        ulong freeBefore = mm.Pmm.Stats.FreeFramesLow;
        uint heapBefore = mm.Heap.Stats().UsedBytes;
        uint mappedBefore = mm.Vmm.Count().Mapped4K;
        CpuResults.Clear();
        CpuJobs.RunOnAll(&StressBattery.Run);
        for (int cpu = 0; cpu < Processors.Count; cpu++)
        {
            if (!Processors.IsOnline(cpu))
                continue;
            Report("smp.heap.cpu", cpu, StressBattery.HeapTest, " kmalloc/krealloc/kfree", "allocation refused|contents changed|krealloc lost contents|kfree refused|final free");
            Report("smp.frames.cpu", cpu, StressBattery.FrameTest, " alloc_frame/free_frame", "allocation refused|contents changed|free refused|final free");
            Report("smp.maps.cpu", cpu, StressBattery.MapTest, " map/unmap", "no frame|alloc_page refused|wrong translation|contents changed|free refused|final free");
        }
        SelfTestLog.Begin("smp.integrity");
        mm.Heap.Trim();
        bool heapOk = mm.Heap.CheckIntegrity().Status == HeapStatus.Ok && mm.Heap.Stats().UsedBytes == heapBefore;
        bool pmmOk = mm.Pmm.CheckIntegrity().IsOk && mm.Pmm.Stats.FreeFramesLow == freeBefore;
        bool vmmOk = mm.Vmm.Count().Mapped4K == mappedBefore;
        Serial.Write("free frames ");
        Serial.WriteDec(freeBefore);
        Serial.Write(" before, ");
        Serial.WriteDec(mm.Pmm.Stats.FreeFramesLow);
        Serial.Write(" after ");
        SelfTestLog.Check(heapOk && pmmOk && vmmOk, !heapOk ? "heap walk, or heap bytes lost" : !pmmOk ? "PMM walk, or frames lost" : "pages left mapped");
    }

    private static void Report(string name, int cpu, int test, string what, string reasons)
    {
        BeginCpu(name, cpu);
        Serial.WriteDec(CpuResults.Figure(cpu, test));
        Serial.Write(what);
        Serial.Write(' ');
        uint failed = CpuResults.Failed(cpu, test);
        if (failed == 0)
            SelfTestLog.Pass();
        else
            FailWithReason(reasons, failed);
    }

    private static void BeginCpu(string name, int cpu)
    {
        // Names are literals plus the CPU's number: written here, then counted like any other test.
        SelfTestLog.BeginNumbered(name, (uint)cpu);
    }

    /// <summary>Fails with the <paramref name="failed"/>-th reason of the '|'-separated list.</summary>
    private static void FailWithReason(string reasons, uint failed)
    {
        Serial.Write("FAIL (");
        uint n = 1;
        for (int i = 0; i < reasons.Length; i++)
        {
            if (reasons[i] == '|')
                n++;
            else if (n == failed)
                Serial.Write(reasons[i]);
        }
        Serial.WriteLine(")");
    }

    private static void ShootdownStaleReads()
    {
        SelfTestLog.Begin("smp.shootdown.prepare");
        bool prepared = ShootdownTest.Prepare();
        Serial.WriteHex(ShootdownTest.Page, 8);
        Serial.Write(' ');
        SelfTestLog.Check(prepared, "no page to remap");
        if (!prepared)
            return;
        uint sentBefore = Shootdown.Sent;
        CpuResults.Clear();
        CpuJobs.RunOnAll(&ShootdownTest.Run);
        for (int cpu = 1; cpu < Processors.Count; cpu++)
        {
            if (!Processors.IsOnline(cpu))
                continue;
            BeginCpu("smp.shootdown.cpu", cpu);
            Serial.WriteDec(CpuResults.Figure(cpu, ShootdownTest.ReaderTest));
            Serial.Write(" stable reads, ");
            Serial.WriteDec(Shootdown.Answered(cpu));
            Serial.Write(" requests answered (");
            Serial.WriteDec(Shootdown.AnsweredWhileSpinning(cpu));
            Serial.Write(" spinning for a lock) ");
            uint failed = CpuResults.Failed(cpu, ShootdownTest.ReaderTest);
            if (failed == 1)
                SelfTestLog.Fail("stale translation read", CpuResults.Detail(cpu, ShootdownTest.ReaderTest));
            else if (failed == 2)
                SelfTestLog.Fail("page faults in stable rounds", CpuResults.Detail(cpu, ShootdownTest.ReaderTest));
            else
                SelfTestLog.Check(failed == 0, "no read in a stable round");
        }
        SelfTestLog.Begin("smp.shootdown.remap");
        Serial.WriteDec(Shootdown.Sent - sentBefore);
        Serial.Write(" shootdowns sent ");
        SelfTestLog.Check(ShootdownTest.WriterFailed == 0 && ShootdownTest.Finish() && Shootdown.Sent != sentBefore,
            "free_page or alloc_page refused, or no shootdown sent");
    }

    private static void ShootdownAnsweredWhileSpinning()
    {
        SelfTestLog.Begin("smp.shootdown.spinning");
        if (!SpinAnswerTest.Prepare())
        {
            SelfTestLog.Fail("no page to unmap");
            return;
        }
        CpuJobs.RunOnAll(&SpinAnswerTest.Run);
        Serial.Write("cpu");
        Serial.WriteDec((ulong)SpinAnswerTest.Spinner);
        Serial.Write(" answered ");
        Serial.WriteDec(SpinAnswerTest.SpinAnswers);
        Serial.Write(" while spinning for a lock cpu");
        Serial.WriteDec((ulong)SpinAnswerTest.Holder);
        Serial.Write(" held ");
        SelfTestLog.Check(!SpinAnswerTest.GaveUp && SpinAnswerTest.SpinAnswers != 0 && SpinAnswerTest.Finish(),
            "no answer from the spin loop");
    }
}
