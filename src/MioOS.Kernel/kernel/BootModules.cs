using System;
using MioOS.Memory.Boot;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Kernel;

/// <summary>
/// The boot modules and everything else the loader wrote (info block, memory map, strings, module list): listed
/// and checksummed right after the boot info is parsed, before the PMM, paging or the heap exist; then shown to
/// be outside every free PMM extent; then, at the end of the battery (after paging, heap init and heap growth,
/// and after scribbling over the lowest free frames), checksummed again. Both loaders put these right after
/// the kernel image, which is exactly where first-fit allocation starts.
/// </summary>
internal static unsafe class BootModules
{
    private const int ModuleCapacity = 16;
    private const int RegionCapacity = 64;
    private const int StringCapacity = 200;

    private struct Record
    {
        public fixed ulong RegionBase[RegionCapacity];
        public fixed ulong RegionEnd[RegionCapacity];
        public fixed uint RegionSum[RegionCapacity];
        public fixed byte RegionKind[RegionCapacity];
        public fixed ulong ModuleStart[ModuleCapacity];
        public fixed ulong ModuleEnd[ModuleCapacity];
        public fixed uint ModuleSum[ModuleCapacity];
    }

    private static Record s_record;
    private static int s_regions;
    private static int s_modules;
    private static bool s_recorded;

    private static Record* R => (Record*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref s_record);

    /// <summary>True once <see cref="Inventory"/> recorded the loader's regions.</summary>
    public static bool Recorded => s_recorded;

    /// <summary>FNV-1a (32 bit) of [<paramref name="start"/>, <paramref name="end"/>), read through the window.</summary>
    private static uint Fnv1a(MemoryWindow w, ulong start, ulong end)
    {
        uint h = 2166136261;
        for (ulong a = start; a < end; a++)
            h = (h ^ w.Read<byte>(a)) * 16777619;
        return h;
    }

    private static void Scribble(MemoryWindow w, ulong start, uint frames)
    {
        for (uint f = 0; f < frames; f++)
        {
            byte* p = w.Bytes(start + ((ulong)f << 12), 0x1000, MemoryAccess.Write);
            for (int i = 0; i < 0x1000; i++)
                p[i] = 0xDB;
        }
    }

    private static bool Overlaps(ulong a0, ulong a1, ulong b0, ulong b1) => a0 < b1 && b0 < a1;

    /// <summary>
    /// <c>boot.modules</c>: the parsed modules are sane (page-aligned, after the kernel image, not overlapping each
    /// other or anything else the loader wrote), each listed with its size, checksum and string; every region the
    /// loader wrote is checksummed for <see cref="CheckIntact"/>.
    /// </summary>
    public static void Inventory(in BootInfo bi, ReadOnlySpan<BootModule> modules, ReadOnlySpan<ReservedRange> regions)
    {
        MemoryWindow w = Metal.Window;
        Record* r = R;
        SelfTestLog.Begin("boot.modules");
        Serial.WriteDec((ulong)modules.Length);
        Serial.Write(" modules, ");
        Serial.WriteDec((ulong)regions.Length);
        Serial.Write(" regions ");
        if (modules.Length > ModuleCapacity || regions.Length > RegionCapacity)
        {
            SelfTestLog.Fail("more modules or regions than this test records");
            return;
        }

        bool ok = true;
        ulong imageEnd = Native.ImageEnd();
        for (int i = 0; i < regions.Length; i++)
        {
            r->RegionBase[i] = regions[i].Base;
            r->RegionEnd[i] = regions[i].Base + regions[i].Length;
            r->RegionKind[i] = (byte)regions[i].Kind;
            r->RegionSum[i] = Fnv1a(w, r->RegionBase[i], r->RegionEnd[i]);
            ok &= w.Contains(regions[i].Base, regions[i].Length);
        }
        bool infoFound = false;
        for (int i = 0; i < regions.Length; i++)
            infoFound |= regions[i].Kind == ReservedKind.InfoBlock && regions[i].Base == bi.InfoAddress;
        ok &= infoFound;

        for (int i = 0; i < modules.Length; i++)
        {
            ulong start = modules[i].Start, end = modules[i].End;
            r->ModuleStart[i] = start;
            r->ModuleEnd[i] = end;
            r->ModuleSum[i] = Fnv1a(w, start, end);
            // Both loaders page-align modules and put them after the kernel image.
            ok &= (start & 0xFFF) == 0 && end >= start && start >= imageEnd && w.Contains(start, end - start);
            ok &= modules[i].StringLength < StringCapacity;
            for (int j = 0; j < modules.Length; j++)
                ok &= j == i || !Overlaps(start, end, modules[j].Start, modules[j].End);
            // The loader's other regions (info block, strings, lists) never share bytes with a module.
            bool listed = false;
            for (int j = 0; j < regions.Length; j++)
            {
                if (regions[j].Kind == ReservedKind.Module)
                    listed |= regions[j].Base == start && regions[j].Length == end - start;
                else
                    ok &= !Overlaps(start, end, regions[j].Base, regions[j].Base + regions[j].Length);
            }
            ok &= listed || end == start;
        }
        s_regions = regions.Length;
        s_modules = modules.Length;
        s_recorded = true;
        SelfTestLog.Check(ok, "a module is misplaced, overlaps, or is not among the regions to reserve");

        for (int i = 0; i < modules.Length; i++)
        {
            Serial.Write("  module ");
            Serial.WriteDec((ulong)i);
            Serial.Write(' ');
            Serial.WriteHex(modules[i].Start, 8);
            Serial.Write('-');
            Serial.WriteHex(modules[i].End, 8);
            Serial.Write(' ');
            Serial.WriteDec(modules[i].End - modules[i].Start);
            Serial.Write(" bytes fnv1a ");
            Serial.WriteHex(r->ModuleSum[i], 8);
            Serial.Write(" \"");
            uint length = modules[i].StringLength < StringCapacity ? modules[i].StringLength : StringCapacity;
            for (uint c = 0; c < length; c++)
                Serial.Write((char)w.Read<byte>(modules[i].String + c));
            Serial.WriteLine("\"");
        }
    }

    /// <summary>
    /// True when no free extent of the PMM (either region) shares a frame with the kernel image or a region the
    /// loader wrote; counts the extents walked.
    /// </summary>
    private static bool FreeExtentsAvoidBootRegions(ref PhysicalMemoryManager pmm, out int extents)
    {
        Record* r = R;
        bool ok = true;
        extents = 0;
        for (int region = 0; region < 2; region++)
        {
            var cursor = pmm.FreeExtents(region == 0 ? FrameRegion.Low : FrameRegion.High);
            while (cursor.Next(out PhysicalAddress start, out uint frames))
            {
                extents++;
                ulong s = start.Value, e = start.Value + ((ulong)frames << 12);
                ok &= !Overlaps(s, e, Native.ImageBase(), Native.ImageEnd());
                for (int i = 0; i < s_regions; i++)
                    ok &= r->RegionEnd[i] == r->RegionBase[i] || !Overlaps(s, e, r->RegionBase[i], r->RegionEnd[i]);
            }
        }
        return ok;
    }

    /// <summary><c>pmm.boot-regions-reserved</c>: right after PMM init, no free extent touches a boot region.</summary>
    public static void CheckReserved(ref PhysicalMemoryManager pmm)
    {
        SelfTestLog.Begin("pmm.boot-regions-reserved");
        bool ok = FreeExtentsAvoidBootRegions(ref pmm, out int extents);
        Serial.WriteDec((ulong)extents);
        Serial.Write(" free extents clear of ");
        Serial.WriteDec((ulong)s_regions);
        Serial.Write(" regions ");
        SelfTestLog.Check(ok, "a free extent overlaps the kernel image, the boot info or a module");
    }

    /// <summary>
    /// <c>boot.modules-intact</c>, at the end of the battery: the lowest free frames (first fit hands out the
    /// frames right after the modules) are taken, filled with a pattern and given back; the free extents still
    /// avoid every boot region; and every module and loader region has the checksum it had at boot. With paging
    /// on, every page of those regions must already be mapped: <c>EnablePaging</c> maps the boot ranges.
    /// </summary>
    public static void CheckIntact(ref PhysicalMemoryManager pmm, bool pagingOn)
    {
        MemoryWindow w = Metal.Window;
        Record* r = R;
        SelfTestLog.Begin("boot.modules-intact");
        bool ok = true;
        uint mapped = 0, unmapped = 0;
        if (pagingOn)
        {
            ref VirtualMemoryManager<MetalCpu, PmmPageTableFrames> vmm = ref Kmain.Memory.Vmm;
            for (int i = 0; i < s_regions; i++)
            {
                for (ulong page = r->RegionBase[i] & ~0xFFFUL; page < r->RegionEnd[i]; page += 0x1000)
                {
                    if (vmm.IsMapped(new VirtualAddress((uint)page)))
                        mapped++;
                    else
                        unmapped++;
                }
            }
        }

        // Scribble over up to 1 MiB of the lowest free frames: whatever the PMM hands out may be overwritten.
        const int chunks = 16;
        PhysicalAddress* taken = stackalloc PhysicalAddress[chunks];
        int n = 0;
        uint scribbled = 0;
        if (pagingOn)
        {
            var mapper = Kmain.Memory.Mapper;
            while (n < chunks && pmm.AllocFrame(16, true, ref mapper, out taken[n]) == PmmStatus.Ok)
            {
                Scribble(w, taken[n].Value, 16);
                scribbled += 16;
                n++;
            }
            for (int i = 0; i < n; i++)
                ok &= pmm.FreeFrame(taken[i], ref mapper) == PmmStatus.Ok;
        }
        else
        {
            while (n < chunks && pmm.AllocFrame(16, out taken[n]) == PmmStatus.Ok)
            {
                Scribble(w, taken[n].Value, 16);
                scribbled += 16;
                n++;
            }
            for (int i = 0; i < n; i++)
                ok &= pmm.FreeFrame(taken[i]) == PmmStatus.Ok;
        }

        bool reserved = FreeExtentsAvoidBootRegions(ref pmm, out _);
        bool sums = true;
        for (int i = 0; i < s_modules; i++)
            sums &= Fnv1a(w, r->ModuleStart[i], r->ModuleEnd[i]) == r->ModuleSum[i];
        for (int i = 0; i < s_regions; i++)
            sums &= Fnv1a(w, r->RegionBase[i], r->RegionEnd[i]) == r->RegionSum[i];
        Serial.WriteDec((ulong)s_modules);
        Serial.Write(" modules and ");
        Serial.WriteDec((ulong)s_regions);
        Serial.Write(" regions unchanged after ");
        Serial.WriteDec(scribbled);
        Serial.Write(" frames scribbled, ");
        Serial.WriteDec(mapped);
        Serial.Write(" pages mapped by EnablePaging ");
        if (unmapped != 0)
            SelfTestLog.Fail("a page of the boot info or a module is not mapped with paging on");
        else if (!sums)
            SelfTestLog.Fail("a module or a loader region changed since boot");
        else if (!reserved)
            SelfTestLog.Fail("a free extent overlaps the kernel image, the boot info or a module");
        else
            SelfTestLog.Check(ok, "the scribble allocations");
    }
}
