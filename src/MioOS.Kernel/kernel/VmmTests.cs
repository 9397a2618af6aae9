using System;
using MioOS.Memory;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Kernel;

/// <summary>The core's VMM on the real (emulated) CPU: paging turned on by the VMM, mappings made and removed
/// through it (4 KiB and 4 MiB, low and high memory), page faults reported and served through it.</summary>
internal static unsafe class VmmTests
{
    private const uint Alias1 = 0xE0001000, Alias2 = 0xE0002000, Unmapped = 0xE0003000, ReadOnly = 0xE0004000;
    private const uint DemandBase = 0xE0100000;
    private const uint Large1 = 0xF0000000, Large2 = 0xF4000000;

    public static bool Run(BringUpResult result)
    {
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        ref PhysicalMemoryManager pmm = ref mm.Pmm;
        ref VirtualMemoryManager<MetalCpu, PmmPageTableFrames> vmm = ref mm.Vmm;
        MemoryWindow window = mm.Window;
        MetalCpu cpu = mm.Cpu;
        CpuFeatures features = cpu.Features;

        SelfTestLog.Begin("vmm.enable-paging");
        uint cr0 = cpu.ReadCr0();
        Serial.Write("cr3 ");
        Serial.WriteHex(cpu.ReadCr3(), 8);
        Serial.Write(' ');
        const uint pagingBits = ControlRegisters.Cr0Paging | ControlRegisters.Cr0WriteProtect;
        if (!result.IsOk || (cr0 & pagingBits) != pagingBits)
        {
            SelfTestLog.Fail("VMM status", (ulong)result.Status);
            return false;
        }
        // The PMM's metadata, the stack and the image stay reachable with paging on.
        SelfTestLog.Check(pmm.CheckIntegrity().IsOk && cpu.ReadCr3() == (uint)vmm.KernelDirectory.Value, "integrity walk with paging on");

        SelfTestLog.Begin("vmm.4k-alias");
        var mapper = mm.Mapper;
        bool ok = pmm.AllocFrame(1, true, ref mapper, out PhysicalAddress f1) == PmmStatus.Ok; // identity-mapped
        ok &= vmm.AllocPage(new VirtualAddress(Alias1), f1, PageFlags.Writable) == VmmStatus.Ok;
        ok &= vmm.AllocPage(new VirtualAddress(Alias2), f1, PageFlags.Writable) == VmmStatus.Ok;
        if (ok)
        {
            *(uint*)(Alias1 + 16) = 0x5A5A1234;
            ok &= *(uint*)(Alias2 + 16) == 0x5A5A1234 && window.Read<uint>(f1.Value + 16) == 0x5A5A1234;
            window.Write(f1.Value + 40, 0x0BADF00Du);
            ok &= *(uint*)(Alias1 + 40) == 0x0BADF00Du;
        }
        SelfTestLog.Check(ok, "two virtual pages and the identity map see one frame");

        SelfTestLog.Begin("vmm.freepage-invlpg");
        ok &= pmm.AllocFrame(1, true, ref mapper, out PhysicalAddress f2) == PmmStatus.Ok;
        window.Write(f2.Value + 16, 0x22222222u);
        uint before = *(uint*)(Alias1 + 16); // the TLB now holds Alias1 -> f1
        ok &= vmm.FreePage(new VirtualAddress(Alias1)) == VmmStatus.Ok; // unmaps and invalidates
        uint value;
        uint faults = Traps.PageFaults;
        ok &= NativeTraps.ProbeRead(Alias1 + 16, &value) == 0 && Traps.PageFaults == faults + 1;
        ok &= vmm.AllocPage(new VirtualAddress(Alias1), f2, PageFlags.Writable) == VmmStatus.Ok;
        ok &= before == 0x5A5A1234 && *(uint*)(Alias1 + 16) == 0x22222222u && *(uint*)(Alias2 + 16) == 0x5A5A1234;
        ok &= vmm.FreePage(new VirtualAddress(Alias1)) == VmmStatus.Ok && vmm.FreePage(new VirtualAddress(Alias2)) == VmmStatus.Ok;
        ok &= pmm.FreeFrame(f1, ref mapper) == PmmStatus.Ok && pmm.FreeFrame(f2, ref mapper) == PmmStatus.Ok;
        SelfTestLog.Check(ok, "the old alias faults after FreePage, the new mapping reads the new frame");

        SelfTestLog.Begin("pf.fixup");
        faults = Traps.PageFaults;
        uint readOk = NativeTraps.ProbeRead(Unmapped + 0x10, &value);
        uint readError = Traps.LastError, readCr2 = Traps.LastCr2;
        uint writeOk = NativeTraps.ProbeWrite(Unmapped + 0xffc, 7);
        uint writeError = Traps.LastError, writeCr2 = Traps.LastCr2;
        Serial.Write("cr2 ");
        Serial.WriteHex(readCr2, 8);
        Serial.Write(" error ");
        Serial.WriteHex(readError);
        Serial.Write(", cr2 ");
        Serial.WriteHex(writeCr2, 8);
        Serial.Write(" error ");
        Serial.WriteHex(writeError);
        Serial.Write(' ');
        SelfTestLog.Check(readOk == 0 && writeOk == 0 && Traps.PageFaults == faults + 2
            && readCr2 == Unmapped + 0x10 && readError == 0 && writeCr2 == Unmapped + 0xffc && writeError == Traps.ErrorWrite,
            "CR2 or error code");

        SelfTestLog.Begin("pf.null");
        faults = Traps.PageFaults;
        uint nullOk = NativeTraps.ProbeRead(0, &value);
        Serial.Write("cr2 ");
        Serial.WriteHex(Traps.LastCr2, 8);
        Serial.Write(' ');
        SelfTestLog.Check(nullOk == 0 && Traps.PageFaults == faults + 1 && Traps.LastCr2 == 0 && Traps.LastError == 0
            && vmm.IsMapped(new VirtualAddress((uint)KernelLayout.NullGuardEnd)), "a NULL read did not fault, or page 1 is not mapped");

        SelfTestLog.Begin("pf.read-only");
        ok = pmm.AllocFrame(1, out PhysicalAddress f3) == PmmStatus.Ok;
        ok &= vmm.AllocPage(new VirtualAddress(ReadOnly), f3, PageFlags.None) == VmmStatus.Ok;
        ok &= NativeTraps.ProbeRead(ReadOnly, &value) == 1;
        ok &= NativeTraps.ProbeWrite(ReadOnly, 1) == 0 && Traps.LastError == (Traps.ErrorPresent | Traps.ErrorWrite);
        ok &= vmm.FreePage(new VirtualAddress(ReadOnly)) == VmmStatus.Ok && pmm.FreeFrame(f3) == PmmStatus.Ok;
        SelfTestLog.Check(ok, "a write to a read-only page must fault with P|W (CR0.WP)");

        SelfTestLog.Begin("pf.demand-map");
        faults = Traps.PageFaults;
        uint mapped = Traps.DemandMapped;
        Traps.EnableDemandPaging(DemandBase, 0x100000, &MapFreshFrame);
        uint* demand = (uint*)DemandBase;
        demand[0] = 42;                   // faults, the handler maps a fresh frame, the store runs again
        demand[1024 + 7] = demand[0] + 1; // the next page
        Traps.DisableDemandPaging();
        ok = demand[0] == 42 && demand[1024 + 7] == 43 && demand[1] == 0;
        ok &= Traps.PageFaults == faults + 2 && Traps.DemandMapped == mapped + 2;
        ok &= Traps.LastCr2 == DemandBase + 0x1000 + 28 && Traps.LastError == Traps.ErrorWrite;
        Serial.Write("cr2 ");
        Serial.WriteHex(Traps.LastCr2, 8);
        Serial.Write(" error ");
        Serial.WriteHex(Traps.LastError);
        Serial.Write(' ');
        for (uint page = DemandBase; page < DemandBase + 0x2000; page += 0x1000)
        {
            ok &= vmm.VirtualToPhysical(new VirtualAddress(page), out PhysicalAddress frame) == VmmStatus.Ok;
            ok &= vmm.FreePage(new VirtualAddress(page)) == VmmStatus.Ok && pmm.FreeFrame(frame) == PmmStatus.Ok;
        }
        SelfTestLog.Check(ok, "mapped on demand and re-run");

        SelfTestLog.Begin("vmm.4m-alias");
        ok = pmm.AllocFrames(1024, FrameRegion.Low, 1024, out PhysicalAddress big) == PmmStatus.Ok;
        if (ok)
            ok = TwoLargeAliases(big);
        else
            Serial.Write("no 4 MiB-aligned run free ");
        ok = ok || !PmmTests.LowestFree4MiB(ref pmm, out _);
        SelfTestLog.Check(ok, "a 4 MiB page through two virtual addresses");

        SelfTestLog.Begin("vmm.high-pse36");
        PmmStatus high = pmm.AllocFrames(1024, FrameRegion.High, 1024, out PhysicalAddress hi);
        if (high != PmmStatus.Ok)
        {
            Serial.Write("no memory above 4 GiB ");
            SelfTestLog.Pass();
        }
        else if (!features.Has(CpuFeatureFlags.Pse36))
        {
            // The right thing without PSE-36: the VMM refuses, nothing is mapped.
            VmmStatus st = vmm.AllocPage4MiB(new VirtualAddress(Large1), hi, PageFlags.Writable);
            Serial.Write("no PSE-36: refused ");
            SelfTestLog.Check(st != VmmStatus.Ok && !vmm.IsMapped(new VirtualAddress(Large1))
                && pmm.FreeFrame(hi) == PmmStatus.Ok, "mapped memory above 4 GiB without PSE-36");
        }
        else
        {
            Serial.WriteHex(hi.Value);
            Serial.Write(' ');
            // The marker must not have landed at the address truncated to 32 bits (page 0 for 4 GiB, which is
            // unmapped with paging on: look at it through a temporary alias).
            bool aliases = TwoLargeAliases(hi);
            var truncated = new PhysicalAddress((uint)hi.Value);
            bool lowUntouched = vmm.AllocPage(new VirtualAddress(Alias1), truncated, PageFlags.None) == VmmStatus.Ok
                && *(uint*)Alias1 != 0xC0DE0001;
            lowUntouched &= vmm.FreePage(new VirtualAddress(Alias1)) == VmmStatus.Ok;
            SelfTestLog.Check(aliases && lowUntouched, "the two aliases of a frame above 4 GiB disagree");
        }

        SelfTestLog.Begin("vmm.integrity");
        SelfTestLog.Check(pmm.CheckIntegrity().IsOk && !vmm.IsMapped(new VirtualAddress(Large1)), "integrity walk");
        return true;
    }

    /// <summary>Maps <paramref name="frame"/> (4 MiB) at two addresses, writes through one, reads through the
    /// other, unmaps both and gives the frame back.</summary>
    private static bool TwoLargeAliases(PhysicalAddress frame)
    {
        ref VirtualMemoryManager<MetalCpu, PmmPageTableFrames> vmm = ref Kmain.Memory.Vmm;
        bool ok = vmm.AllocPage4MiB(new VirtualAddress(Large1), frame, PageFlags.Writable) == VmmStatus.Ok;
        ok &= vmm.AllocPage4MiB(new VirtualAddress(Large2), frame, PageFlags.Writable) == VmmStatus.Ok;
        if (ok)
        {
            uint* a = (uint*)Large1;
            uint* b = (uint*)Large2;
            a[0] = 0xC0DE0001;
            a[0x200000 / 4] = 0xC0DE0002;
            b[0x3FFFFC / 4] = 0xC0DE0003;
            ok &= b[0] == 0xC0DE0001 && b[0x200000 / 4] == 0xC0DE0002 && a[0x3FFFFC / 4] == 0xC0DE0003;
        }
        ok &= vmm.FreePage(new VirtualAddress(Large1)) == VmmStatus.Ok && vmm.FreePage(new VirtualAddress(Large2)) == VmmStatus.Ok;
        uint value;
        ok &= NativeTraps.ProbeRead(Large1, &value) == 0;
        ok &= Kmain.Memory.Pmm.FreeFrame(frame) == PmmStatus.Ok;
        return ok;
    }

    /// <summary>The demand-paging hook: a fresh zeroed frame mapped by the VMM.</summary>
    private static bool MapFreshFrame(uint page)
    {
        ref VirtualMemoryManager<MetalCpu, PmmPageTableFrames> vmm = ref Kmain.Memory.Vmm;
        if (Kmain.Memory.Pmm.AllocFrame(1, out PhysicalAddress frame) != PmmStatus.Ok)
            return false;
        if (vmm.AllocPage(new VirtualAddress(page), frame, PageFlags.Writable) != VmmStatus.Ok)
        {
            Kmain.Memory.Pmm.FreeFrame(frame);
            return false;
        }
        Metal.Window.Zero(page, Frames.Size); // through the new mapping
        return true;
    }
}
