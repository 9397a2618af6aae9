namespace MioOS.Kernel.Smp;

/// <summary>
/// The battery's multiprocessor part, once every layer is up: find the CPUs, start the APs.
/// </summary>
internal static unsafe class SmpTests
{
    public static void Run()
    {
        if (!Discover())
            return;
        StartAps();
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
}
