using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>The VMM on a booted simulated PC, taking its tables from the PMM, in the checked mode.</summary>
public class VmmOnPmmTests
{
    private static PagingMachine Boot(SimulatedPc pc, CpuModel? model = null)
    {
        PagingMachine m = PagingMachine.Start(pc, model);
        Assert.Equal(VmmStatus.Ok, m.Status);
        return m;
    }

    [Theory]
    [InlineData(BootProtocol.Multiboot1)]
    [InlineData(BootProtocol.Multiboot2)]
    public void Page_0_stays_unmapped_so_a_null_dereference_faults(BootProtocol protocol)
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default with { Protocol = protocol });
        using PagingMachine m = Boot(pc);
        Translation t = m.Cpu.Translate(0, AccessKind.Read);
        Assert.True(t.IsFault);
        Assert.Equal(0u, t.Fault.Address);
        Assert.Equal(default(PageFaultErrorCode), t.Fault.ErrorCode); // not present, read, supervisor
        Assert.True(m.Cpu.Translate(0xFFF, AccessKind.Write).IsFault);
        Assert.False(m.Cpu.Translate(0x1000, AccessKind.Read).IsFault);
        Assert.False(m.Vmm.IsMapped(new VirtualAddress(0)));
        // The core itself reading NULL through its window faults as the CPU would.
        Assert.Throws<PageFaultException>(() => m.Checked.Window.Read<uint>(0));
    }

    [Fact]
    public void Default_pc_boots_with_paging_on_and_its_kernel_space_identity_mapped()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        using PagingMachine m = Boot(pc);
        Assert.True(m.Cpu.PagingEnabled);
        Assert.True(m.Pmm.CheckIntegrity().IsOk);
        KernelSpaceLayout k = m.KernelSpace;
        foreach (ulong a in new ulong[] { 0x1000UL, 0xB8000, 0xFFFFF, k.KernelStart, k.KernelEnd - 1, k.HeapStart, k.HeapEnd - 1, k.MetadataStart, k.MetadataEnd - 1 })
        {
            Translation t = m.Cpu.Translate((uint)a, AccessKind.Write);
            Assert.False(t.IsFault, $"0x{a:X} {t.Fault}");
            Assert.Equal(a, t.Physical.Value);
        }
        // The VMM's tables came from the PMM and are accounted there.
        PagingCounts c = m.Vmm.Count();
        Assert.True(c.PageTables >= 2);
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(new VirtualAddress(0x40000000), new PhysicalAddress(0x300000), PageFlags.Writable));
        Assert.True(m.Pmm.CheckIntegrity().IsOk);
    }

    [Theory]
    [InlineData(BootProtocol.Multiboot1)]
    [InlineData(BootProtocol.Multiboot2)]
    public void Boot_info_and_modules_stay_readable_once_paging_is_on_and_are_read_only(BootProtocol protocol)
    {
        byte[] initrd = new byte[10000];
        new Random(7).NextBytes(initrd);
        byte[] tiny = [1, 2, 3];
        var config = MachineConfig.Default with
        {
            Protocol = protocol,
            CommandLine = "console=ttyS0",
            Modules = [new BootModuleImage(initrd, "initrd"), new BootModuleImage(tiny, "tiny")],
        };
        using SimulatedPc pc = SimulatedPc.Boot(config);
        using PagingMachine m = Boot(pc);
        Assert.NotEmpty(m.BootRanges);
        Assert.Equal(2, pc.Modules.Count);
        byte[][] images = [initrd, tiny];
        for (int i = 0; i < 2; i++)
        {
            BootModule module = pc.Modules[i];
            Assert.Equal((ulong)images[i].Length, module.End - module.Start);
            for (ulong a = module.Start; a < module.End; a++) // through the checked window: the simulated MMU
                Assert.Equal(images[i][a - module.Start], m.Checked.Window.Read<byte>(a));
        }
        // Everything the loader handed over (info block, strings, memory map, modules) translates to itself,
        // read-only unless its page is shared with a read-write kernel range.
        foreach (ReservedRange r in pc.BootRegions)
            for (ulong a = r.Base & ~0xFFFUL; a < r.Base + r.Length; a += 4096)
            {
                Translation t = m.Cpu.Walk((uint)a, AccessKind.Read);
                Assert.False(t.IsFault, $"0x{a:X}: {t.Fault}");
                Assert.Equal(a, t.Physical.Value);
                bool sharedWithKernel = a < m.KernelSpace.KernelEnd;
                Assert.Equal(!sharedWithKernel, m.Cpu.Walk((uint)a, AccessKind.Write).IsFault);
            }
        Assert.Equal("console=ttyS0", Text(m, pc.BootInfo.CommandLine, pc.BootInfo.CommandLineLength).Replace("kernel.bin ", "", StringComparison.Ordinal));
        Assert.True(m.Pmm.CheckIntegrity().IsOk);
    }

    private static string Text(PagingMachine m, ulong address, uint length)
    {
        var chars = new char[length];
        for (uint i = 0; i < length; i++)
            chars[i] = (char)m.Checked.Window.Read<byte>(address + i);
        return new string(chars);
    }

    [Fact]
    public void Pmm_identity_map_flag_maps_through_the_vmm_and_free_unmaps()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        using PagingMachine m = Boot(pc);
        ulong used = m.Pmm.Stats.UsedFrames;
        var mapper = m.Mapper();
        Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrame(5, true, ref mapper, out PhysicalAddress run));
        for (ulong a = run.Value; a < run.Value + 5 * 4096; a += 4096)
            Assert.Equal(a, m.Cpu.Translate((uint)a, AccessKind.Write).Physical.Value);
        m.Checked.Window.Write(run.Value + 4 * 4096 + 8, 0x12345678u); // usable through the MMU
        Assert.True(m.Cpu.Translate((uint)(run.Value + 5 * 4096), AccessKind.Read).IsFault);
        Assert.Equal(PmmStatus.Ok, m.Pmm.FreeFrame(run, ref mapper));
        Assert.True(m.Cpu.Translate((uint)run.Value, AccessKind.Read).IsFault);
        Assert.Equal(used, m.Pmm.Stats.UsedFrames); // frames and any page table the run needed are back
        Assert.True(m.Pmm.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Identity_map_that_needs_a_new_page_table_takes_it_from_the_pmm_inside_the_allocation()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        using PagingMachine m = Boot(pc);
        var mapper = m.Mapper();
        // Take frames one by one until the next one starts a directory slot with no table yet.
        ulong boundary;
        while (true)
        {
            Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrames(1, FrameRegion.Low, 1, out PhysicalAddress probe));
            if ((probe.Value & 0x3FFFFF) == 0 && !m.Vmm.ReadDirectoryEntry((uint)(probe.Value >> 22)).IsPresent)
            {
                Assert.Equal(PmmStatus.Ok, m.Pmm.FreeFrame(probe));
                boundary = probe.Value;
                break;
            }
        }
        Assert.False(m.Vmm.ReadDirectoryEntry((uint)(boundary >> 22)).IsPresent);
        ulong used = m.Pmm.Stats.UsedFrames;
        // The PMM calls the VMM, which calls the PMM again for the table: the nested allocation lands right after.
        Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrame(2, true, ref mapper, out PhysicalAddress run));
        Assert.Equal(boundary, run.Value);
        Assert.Equal(used + 3, m.Pmm.Stats.UsedFrames);
        Assert.Equal(boundary + 0x2000, m.Vmm.ReadDirectoryEntry((uint)(boundary >> 22)).TableAddress.Value);
        Assert.Equal(boundary + 0x1000, m.Cpu.Translate((uint)boundary + 0x1000, AccessKind.Write).Physical.Value);
        Assert.True(m.Pmm.CheckIntegrity().IsOk);
        Assert.Equal(PmmStatus.Ok, m.Pmm.FreeFrame(run, ref mapper));
        Assert.Equal(used, m.Pmm.Stats.UsedFrames); // the run and its now-empty table
        Assert.False(m.Vmm.ReadDirectoryEntry((uint)(boundary >> 22)).IsPresent);
        Assert.True(m.Pmm.CheckIntegrity().IsOk);
    }

    [Fact]
    public void A_failed_identity_map_gives_the_frames_back()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        using PagingMachine m = Boot(pc);
        var mapper = m.Mapper();
        // Map the frame the PMM would hand out next, so the identity map collides.
        Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrames(1, FrameRegion.Low, 1, out PhysicalAddress next));
        Assert.Equal(PmmStatus.Ok, m.Pmm.FreeFrame(next));
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(new VirtualAddress((uint)next.Value), new PhysicalAddress(0x300000), PageFlags.Writable));
        ulong used = m.Pmm.Stats.UsedFrames;
        Assert.Equal(PmmStatus.MappingFailed, m.Pmm.AllocFrame(1, true, ref mapper, out _));
        Assert.Equal(used, m.Pmm.Stats.UsedFrames);
        Assert.True(m.Pmm.CheckIntegrity().IsOk);
    }

    [Fact]
    public void High_memory_from_the_pmm_is_reached_through_a_pse36_large_page()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemorySize(5UL << 30));
        using PagingMachine m = Boot(pc, CpuModel.Max36);
        Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrames(1024, FrameRegion.High, 1024, out PhysicalAddress high));
        Assert.True(high.Value >= 1UL << 32);
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage4MiB(new VirtualAddress(0xC0000000), high, PageFlags.Writable));
        m.Checked.Window.Write(0xC0001234UL, 0xA5A5A5A5u);
        unsafe
        {
            Assert.Equal(0xA5A5A5A5u, *(uint*)(pc.Ram.Base + high.Value + 0x1234));
        }
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(new VirtualAddress(0xC0000000)));
        Assert.Throws<PageFaultException>(() => m.Checked.Window.Read<uint>(0xC0001234UL));
    }

    [Fact]
    public void High_memory_is_refused_on_qemu32()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemorySize(5UL << 30));
        using PagingMachine m = Boot(pc, CpuModel.Qemu32);
        Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrames(1024, FrameRegion.High, 1024, out PhysicalAddress high));
        Assert.Equal(VmmStatus.PhysicalAddressTooHigh, m.Vmm.AllocPage4MiB(new VirtualAddress(0xC0000000), high, PageFlags.Writable));
    }

    [Fact]
    public void Random_pmm_and_vmm_calls_leak_no_frame_and_keep_pmm_integrity()
    {
        // op: 0 = PMM identity alloc of n frames, 1 = free the i-th live identity allocation, 2 = map a 4 KiB page
        // at a random spot of 0x40000000..0x43FFFFFF, 3 = unmap the i-th mapped page.
        Gen.Select(Gen.Int[0, 3], Gen.Int[1, 8], Gen.Int[0, 1000], Gen.UInt[0, 0x3FFF]).Array[1, 60].Sample(ops =>
        {
            using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
            using PagingMachine m = Boot(pc);
            var mapper = m.Mapper();
            ulong baseline = m.Pmm.Stats.UsedFrames;
            uint baseTables = m.Vmm.Count().PageTables;
            var allocations = new List<(PhysicalAddress Start, uint Frames)>();
            var pages = new List<uint>();
            foreach (var (kind, n, pick, page) in ops)
            {
                switch (kind)
                {
                    case 0:
                        Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrame((uint)n, true, ref mapper, out PhysicalAddress a));
                        allocations.Add((a, (uint)n));
                        break;
                    case 1 when allocations.Count > 0:
                        var victim = allocations[pick % allocations.Count];
                        allocations.Remove(victim);
                        Assert.Equal(PmmStatus.Ok, m.Pmm.FreeFrame(victim.Start, ref mapper));
                        Assert.True(m.Cpu.Translate((uint)victim.Start.Value, AccessKind.Read).IsFault);
                        break;
                    case 2:
                        uint v = 0x40000000 + page * 4096;
                        VmmStatus s = m.Vmm.AllocPage(new VirtualAddress(v), new PhysicalAddress(0x300000), PageFlags.Writable);
                        Assert.Equal(pages.Contains(v) ? VmmStatus.AlreadyMapped : VmmStatus.Ok, s);
                        if (s == VmmStatus.Ok)
                            pages.Add(v);
                        break;
                    case 3 when pages.Count > 0:
                        uint u = pages[pick % pages.Count];
                        pages.Remove(u);
                        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(new VirtualAddress(u)));
                        break;
                }
                Assert.True(m.Pmm.CheckIntegrity().IsOk);
                foreach (var (start, frames) in allocations)
                    for (uint i = 0; i < frames; i++)
                        Assert.Equal(start.Value + i * 4096UL, m.Cpu.Translate((uint)(start.Value + i * 4096UL), AccessKind.Read).Physical.Value);
                ulong live = (ulong)allocations.Sum(x => x.Frames);
                uint tables = m.Vmm.Count().PageTables;
                Assert.Equal(baseline + live + (tables - baseTables), m.Pmm.Stats.UsedFrames);
            }
            foreach (var (start, _) in allocations)
                Assert.Equal(PmmStatus.Ok, m.Pmm.FreeFrame(start, ref mapper));
            foreach (uint u in pages)
                Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(new VirtualAddress(u)));
            Assert.Equal(baseline, m.Pmm.Stats.UsedFrames);
            Assert.Equal(baseTables, m.Vmm.Count().PageTables);
        }, iter: 60, threads: 1);
    }
}

/// <summary>Paging comes up on every real firmware map, with the PMM as the frame source.</summary>
public class VmmOnRealMapsTests
{
    [Theory]
    [MemberData(nameof(Support.TestData.MemoryMapNames), MemberType = typeof(Support.TestData))]
    public void Paging_comes_up_and_kernel_space_translates_identically(string name)
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemoryMapFile(Support.TestData.MemoryMap(name)));
        using PagingMachine m = PagingMachine.Start(pc, CpuModel.Max36);
        Assert.Equal(VmmStatus.Ok, m.Status);
        Assert.True(m.Pmm.CheckIntegrity().IsOk);
        KernelSpaceLayout k = m.KernelSpace;
        foreach (ulong a in new ulong[] { 0, 0xFFFFF, k.KernelStart, k.KernelEnd - 1, k.HeapStart, k.HeapEnd - 1, k.MetadataStart, k.MetadataEnd - 1 })
            Assert.Equal(a, m.Cpu.Translate((uint)a, AccessKind.Write).Physical.Value);
        // Every page table the kernel space needed is a PMM allocation, and nothing else is.
        PagingCounts c = m.Vmm.Count();
        Assert.Equal(c.PageTables + 2UL, m.Pmm.Stats.UsedFrames); // + the VMM's record and the directory
        ulong identity = ((0x100000 + (k.KernelEnd - k.KernelStart) + (k.HeapEnd - k.HeapStart) + (k.MetadataEnd - k.MetadataStart)) >> 12) + 3;
        ulong pages = c.Mapped4K + 1024UL * c.Mapped4M;
        Assert.True(pages >= identity - 1 && pages <= identity + 3, $"{pages} pages mapped, about {identity} expected");
        // The metadata area is big and never unmapped: its whole aligned 4 MiB stretches are PSE pages, not tables.
        ulong wholeStretches = ((k.MetadataEnd & ~0x3FFFFFUL) > ((k.MetadataStart + 0x3FFFFF) & ~0x3FFFFFUL))
            ? ((k.MetadataEnd & ~0x3FFFFFUL) - ((k.MetadataStart + 0x3FFFFF) & ~0x3FFFFFUL)) >> 22 : 0;
        Assert.Equal(wholeStretches, (ulong)c.Mapped4M);
    }
}
