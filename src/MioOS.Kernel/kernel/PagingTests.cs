using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Kernel;

/// <summary>
/// Paging on the real (emulated) CPU with a page directory built here: all 4 GiB identity-mapped with 4 MiB
/// pages (so the identity memory window keeps working), except four 4 MiB test slots near the top. This is the
/// kernel's own scaffolding until the core's VMM is attached; it drives the CPU through the same seam.
/// </summary>
internal static unsafe class PagingTests
{
    private const uint Present = 1, Writable = 2, LargePage = 1u << 7;
    private const uint SlotHigh1 = 0xF0000000; // 4 MiB page -> high-memory frame (PSE-36)
    private const uint SlotHigh2 = 0xF4000000; // second alias of the same frame
    private const uint SlotLarge = 0xF8000000; // 4 MiB page -> low frame
    private const uint SlotSmall = 0xFC000000; // a page table of 4 KiB pages

    public static void Run<TCpu>(ref TCpu cpu, ref PhysicalMemoryManager pmm) where TCpu : struct, ICpu
    {
        MemoryWindow window = Metal.Window;
        CpuFeatures features = cpu.Features;

        SelfTest.Begin("paging.enable");
        if (!features.Has(CpuFeatureFlags.Pse)
            || pmm.AllocFrame(1, out PhysicalAddress pdFrame) != PmmStatus.Ok
            || pmm.AllocFrame(1, out PhysicalAddress ptFrame) != PmmStatus.Ok)
        {
            SelfTest.Fail("no PSE or no frames for the page directory");
            return;
        }
        uint* pd = (uint*)(uint)pdFrame.Value;
        uint* pt = (uint*)(uint)ptFrame.Value;
        for (uint i = 0; i < 1024; i++)
        {
            pd[i] = (i << 22) | Present | Writable | LargePage;
            pt[i] = 0;
        }
        pd[SlotHigh1 >> 22] = 0;
        pd[SlotHigh2 >> 22] = 0;
        pd[SlotLarge >> 22] = 0;
        pd[SlotSmall >> 22] = (uint)ptFrame.Value | Present | Writable;
        cpu.WriteCr4(cpu.ReadCr4() | (1u << 4)); // PSE
        cpu.WriteCr3((uint)pdFrame.Value);
        cpu.WriteCr0(cpu.ReadCr0() | 0x80000000u | (1u << 16)); // PG, WP
        uint cr0 = cpu.ReadCr0();
        // Still running, and the identity window still reads what it wrote.
        ulong* cell = stackalloc ulong[1];
        window.Write((uint)cell, 0xFEEDFACECAFEBEEFUL);
        SelfTest.Check((cr0 & 0x80010000u) == 0x80010000u && window.Read<ulong>((uint)cell) == 0xFEEDFACECAFEBEEFUL
            && cpu.ReadCr3() == (uint)pdFrame.Value, "CR0.PG|WP, CR3, identity access");

        SelfTest.Begin("paging.4k-alias");
        bool ok = pmm.AllocFrame(1, out PhysicalAddress f1) == PmmStatus.Ok;
        pt[1] = (uint)f1.Value | Present | Writable;
        cpu.InvalidatePage(SlotSmall + 0x1000);
        uint* alias = (uint*)(SlotSmall + 0x1000);
        alias[5] = 0x5A5A1234;
        ok &= window.Read<uint>(f1.Value + 20) == 0x5A5A1234;
        window.Write(f1.Value + 40, 0x0BADF00Du);
        ok &= alias[10] == 0x0BADF00Du;
        SelfTest.Check(ok, "write through the alias, read through the identity map and back");

        SelfTest.Begin("paging.invlpg");
        ok = pmm.AllocFrame(1, out PhysicalAddress f2) == PmmStatus.Ok;
        window.Write(f2.Value + 20, 0x22222222u);
        uint before = alias[5]; // the TLB now holds the old translation
        pt[1] = (uint)f2.Value | Present | Writable;
        cpu.InvalidatePage(SlotSmall + 0x1000);
        uint after = alias[5];
        ok &= before == 0x5A5A1234 && after == 0x22222222u;
        // Unmap and invalidate: the old alias must now fault (the probe resumes at its fix-up).
        pt[1] = 0;
        cpu.InvalidatePage(SlotSmall + 0x1000);
        uint faultsBefore = Traps.PageFaults;
        uint value;
        ok &= NativeTraps.ProbeRead(SlotSmall + 0x1000, &value) == 0 && Traps.PageFaults == faultsBefore + 1;
        ok &= pmm.FreeFrame(f1) == PmmStatus.Ok && pmm.FreeFrame(f2) == PmmStatus.Ok;
        SelfTest.Check(ok, "the new frame after invlpg, a fault after unmapping");

        SelfTest.Begin("pf.fixup");
        faultsBefore = Traps.PageFaults;
        uint readOk = NativeTraps.ProbeRead(SlotSmall + 0x3010, &value);
        uint readError = Traps.LastError, readCr2 = Traps.LastCr2;
        uint writeOk = NativeTraps.ProbeWrite(SlotSmall + 0x3ffc, 7);
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
        SelfTest.Check(readOk == 0 && writeOk == 0 && Traps.PageFaults == faultsBefore + 2
            && readCr2 == SlotSmall + 0x3010 && readError == 0
            && writeCr2 == SlotSmall + 0x3ffc && writeError == Traps.ErrorWrite, "CR2 or error code");

        SelfTest.Begin("pf.read-only");
        ok = pmm.AllocFrame(1, out PhysicalAddress f3) == PmmStatus.Ok;
        pt[2] = (uint)f3.Value | Present; // read-only: with CR0.WP a supervisor write faults
        cpu.InvalidatePage(SlotSmall + 0x2000);
        ok &= NativeTraps.ProbeRead(SlotSmall + 0x2000, &value) == 1;
        ok &= NativeTraps.ProbeWrite(SlotSmall + 0x2000, 1) == 0 && Traps.LastError == (Traps.ErrorPresent | Traps.ErrorWrite);
        pt[2] = 0;
        cpu.InvalidatePage(SlotSmall + 0x2000);
        ok &= pmm.FreeFrame(f3) == PmmStatus.Ok;
        SelfTest.Check(ok, "a write to a read-only page must fault with P|W");

        SelfTest.Begin("pf.demand-map");
        faultsBefore = Traps.PageFaults;
        uint mappedBefore = Traps.DemandMapped;
        ulong freeBefore = pmm.Stats.FreeFramesLow;
        s_table = pt;
        Traps.EnableDemandPaging(SlotSmall + 0x100000, 0x100000, &MapFreshFrame);
        uint* demand = (uint*)(SlotSmall + 0x100000);
        demand[0] = 42;                 // faults, the handler maps a fresh frame, the store runs again
        demand[1024 + 7] = demand[0] + 1; // the next page: a read of a mapped page, a write that faults
        Traps.DisableDemandPaging();
        ok = demand[0] == 42 && demand[1024 + 7] == 43 && demand[1] == 0;
        ok &= Traps.PageFaults == faultsBefore + 2 && Traps.DemandMapped == mappedBefore + 2;
        ok &= Traps.LastCr2 == SlotSmall + 0x101000 + 28 && Traps.LastError == Traps.ErrorWrite;
        ok &= pmm.Stats.FreeFramesLow == freeBefore - 2;
        Serial.Write("cr2 ");
        Serial.WriteHex(Traps.LastCr2, 8);
        Serial.Write(" error ");
        Serial.WriteHex(Traps.LastError);
        Serial.Write(' ');
        SelfTest.Check(ok, "mapped on demand and re-run");

        SelfTest.Begin("paging.4m-alias");
        bool haveRun = MemoryTests.LowestFree4MiB(ref pmm, out _);
        ok = pmm.AllocFrames(1024, FrameRegion.Low, 1024, out PhysicalAddress big) == PmmStatus.Ok;
        if (!haveRun)
        {
            Serial.Write("no 4 MiB-aligned run free, nothing to map ");
            ok = !ok;
        }
        else if (ok)
        {
            pd[SlotLarge >> 22] = (uint)big.Value | Present | Writable | LargePage;
            cpu.InvalidatePage(SlotLarge);
            uint* large = (uint*)SlotLarge;
            large[0] = 0x4D4D4D4D;
            large[0x3FFFFC / 4] = 0x12345678; // the last word of the 4 MiB page
            ok &= window.Read<uint>(big.Value) == 0x4D4D4D4D && window.Read<uint>(big.Value + 0x3FFFFC) == 0x12345678;
            pd[SlotLarge >> 22] = 0;
            cpu.InvalidatePage(SlotLarge);
            ok &= NativeTraps.ProbeRead(SlotLarge, &value) == 0;
            ok &= pmm.FreeFrame(big) == PmmStatus.Ok;
        }
        SelfTest.Check(ok, "a 4 MiB page written and read back through the identity map");

        HighMemory(ref cpu, ref pmm, pd, features);
        SelfTest.Begin("pmm.integrity-after-paging");
        SelfTest.Check(pmm.CheckIntegrity().IsOk, "integrity walk");
    }

    private static uint* s_table;

    /// <summary>The demand-paging hook: a fresh zeroed PMM frame in the test slot's page table.</summary>
    private static bool MapFreshFrame(uint page)
    {
        if (MemoryTests.Pmm.AllocFrame(1, out PhysicalAddress frame) != PmmStatus.Ok)
            return false;
        Metal.Window.Zero(frame.Value, Frames.Size);
        s_table[(page >> 12) & 0x3FF] = (uint)frame.Value | Present | Writable;
        Native.InvalidatePage(page);
        return true;
    }

    /// <summary>A frame above 4 GiB, reachable only through a PSE-36 4 MiB page, through two virtual addresses.</summary>
    private static void HighMemory<TCpu>(ref TCpu cpu, ref PhysicalMemoryManager pmm, uint* pd, CpuFeatures features)
        where TCpu : struct, ICpu
    {
        SelfTest.Begin("paging.high-pse36");
        bool pse36 = features.Has(CpuFeatureFlags.Pse36);
        PmmStatus status = pmm.AllocFrames(1024, FrameRegion.High, 1024, out PhysicalAddress high);
        if (status != PmmStatus.Ok || !pse36)
        {
            // Nothing to map, or no way to map it: the right thing is to leave high memory unmapped.
            Serial.Write(!pse36 ? "no PSE-36 on this CPU, high memory stays unmapped " : "no memory above 4 GiB ");
            bool ok = status != PmmStatus.Ok || pmm.FreeFrame(high) == PmmStatus.Ok;
            SelfTest.Check(ok, "high frame not given back");
            return;
        }
        uint m = features.MaxPhysicalAddressBits > 40 ? 40u : features.MaxPhysicalAddressBits;
        ulong top = 1UL << (int)m;
        bool fits = high.Value + 0x400000 <= top;
        Serial.WriteHex(high.Value);
        Serial.Write(' ');
        if (!fits)
        {
            SelfTest.Fail("frame beyond MAXPHYADDR");
            pmm.FreeFrame(high);
            return;
        }
        // PDE bits 31:22 = physical 31:22; bits (M-20):13 = physical (M-1):32.
        uint pde = ((uint)high.Value & 0xFFC00000u) | ((uint)(high.Value >> 32) << 13) | Present | Writable | LargePage;
        pd[SlotHigh1 >> 22] = pde;
        pd[SlotHigh2 >> 22] = pde;
        cpu.InvalidatePage(SlotHigh1);
        cpu.InvalidatePage(SlotHigh2);
        uint* a = (uint*)SlotHigh1;
        uint* b = (uint*)SlotHigh2;
        a[0] = 0xC0DE0001;
        a[0x200000 / 4] = 0xC0DE0002;
        b[0x3FFFFC / 4] = 0xC0DE0003;
        bool same = b[0] == 0xC0DE0001 && b[0x200000 / 4] == 0xC0DE0002 && a[0x3FFFFC / 4] == 0xC0DE0003;
        // The identity map's view of the low 4 GiB is untouched by those writes: the frame really is above 4 GiB.
        bool notLow = Metal.Window.Read<uint>((uint)high.Value) != 0xC0DE0001;
        pd[SlotHigh1 >> 22] = 0;
        pd[SlotHigh2 >> 22] = 0;
        cpu.InvalidatePage(SlotHigh1);
        cpu.InvalidatePage(SlotHigh2);
        bool freed = pmm.FreeFrame(high) == PmmStatus.Ok;
        SelfTest.Check(same && notLow && freed, "the two aliases disagree");
    }
}
