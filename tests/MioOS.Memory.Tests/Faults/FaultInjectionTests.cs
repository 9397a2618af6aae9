using System;
using MioOS.Memory.Boot;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;
using Growth = MioOS.Memory.Heap.PmmHeapGrowth<MioOS.Memory.Virtual.VmmFrameMapper<MioOS.Memory.Hosting.Cpu.SimulatedCpuPort, MioOS.Memory.Tests.Faults.RefusingTableFrames>>;

namespace MioOS.Memory.Tests.Faults;

/// <summary>
/// The PMM refuses its k-th call for every k during every VMM operation that takes frames and every heap growth:
/// after each refusal every layer's walk holds, no frame leaks (the PMM's ledger matches what the heap and the VMM
/// hold), and an operation that failed left the page map, the heap and the free frames as they were.
/// </summary>
public class FaultInjectionTests
{
    private static readonly PageFlags Rw = PageFlags.Writable;

    /// <summary>The layers of a booted machine, with every frame the VMM takes and every heap growth counted by one plan.</summary>
    private sealed class Faulty
    {
        public Faulty(KernelMachine m, FaultPlan plan)
        {
            Machine = m;
            Plan = plan;
            var frames = new RefusingTableFrames(new PmmPageTableFrames(m.Pc.Pmm), plan);
            Vmm = VirtualMemoryManager<SimulatedCpuPort, RefusingTableFrames>.Attach(m.Paging.Checked.Window,
                new SimulatedCpuPort(m.Paging.Cpu), frames, m.Paging.Vmm.StateAddress);
            var growth = new RefusingGrowth<Growth>(new Growth(m.Pc.Pmm, Mapper), plan);
            Assert.Equal(HeapStatus.Ok, KernelHeap<RefusingGrowth<Growth>>.Attach(m.Paging.Checked.Window, m.Heap.Start, growth, out var heap));
            Heap = heap;
        }

        public KernelMachine Machine { get; }
        public FaultPlan Plan { get; }
        public VirtualMemoryManager<SimulatedCpuPort, RefusingTableFrames> Vmm { get; }
        public KernelHeap<RefusingGrowth<Growth>> Heap { get; }
        public VmmFrameMapper<SimulatedCpuPort, RefusingTableFrames> Mapper => new(Vmm);
        public PhysicalMemoryManager Pmm => Machine.Pc.Pmm;
    }

    /// <summary>What a failed operation must leave as it found it.</summary>
    private sealed record Snapshot(ulong FreeFrames, uint Allocations, string PageMap, uint HeapSegments, uint HeapBytes, uint HeapBlocks, uint HeapFreeBytes)
    {
        public static Snapshot Of(KernelMachine m)
        {
            PmmStats p = m.Pc.Pmm.Stats;
            HeapStats h = m.Heap.Stats();
            return new Snapshot(p.FreeFramesLow, p.Allocations, string.Join(" ", m.Paging.PageMap()), h.Segments, h.SizeBytes, h.Blocks, h.FreeBytes);
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on a fresh machine with the PMM's first call refused, then its second, and so
    /// on until the operation makes fewer calls than the one to refuse; returns how many calls it makes unhindered.
    /// </summary>
    private static int UnderEveryRefusal(Func<Faulty, bool> operation)
    {
        for (int k = 1; k < 100; k++)
        {
            using KernelMachine m = KernelMachine.Boot(MachineConfig.Default);
            Snapshot before = Snapshot.Of(m);
            var faulty = new Faulty(m, new FaultPlan(k));
            bool ok = operation(faulty);
            SubsystemAudit.Result audit = SubsystemAudit.Check(m);
            Assert.True(audit.IsOk, $"call {k} refused: {string.Join("; ", audit.Problems)}");
            if (!faulty.Plan.Refused)
            {
                Assert.True(ok, $"the operation failed with nothing refused (it makes {k - 1} calls)");
                return k - 1;
            }
            if (!ok)
                Assert.Equal(before, Snapshot.Of(m));
        }
        throw new InvalidOperationException("the operation kept calling the PMM");
    }

    [Fact]
    public void Alloc_page_in_an_empty_slot()
    {
        int calls = UnderEveryRefusal(f => f.Vmm.AllocPage(new VirtualAddress(0x40000000), new PhysicalAddress(0x300000), Rw) == VmmStatus.Ok);
        Assert.Equal(1, calls); // its page table
    }

    [Fact]
    public void Identity_map_region_over_three_empty_slots_with_small_pages()
    {
        int calls = UnderEveryRefusal(f =>
            f.Vmm.IdentityMapRegion(new PhysicalAddress(0x503FF000), new PhysicalAddress(0x50801000), Rw, IdentityMapPolicy.Small) == VmmStatus.Ok);
        Assert.Equal(3, calls);
    }

    [Fact]
    public void Identity_map_region_with_large_pages_where_they_fit()
    {
        int calls = UnderEveryRefusal(f =>
            f.Vmm.IdentityMapRegion(new PhysicalAddress(0x503FF000), new PhysicalAddress(0x50C01000), Rw, IdentityMapPolicy.BestFit) == VmmStatus.Ok);
        Assert.True(calls >= 2); // the two ragged ends need tables; the middle takes 4 MiB pages where the CPU has PSE
    }

    [Fact]
    public void Identity_map_kernel_region()
    {
        int calls = UnderEveryRefusal(f =>
            f.Vmm.IdentityMapKernelRegion(new PhysicalAddress(0x20000000), new PhysicalAddress(0x20400000 + 0x3000)) == VmmStatus.Ok);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Create_address_space_and_fill_its_user_part()
    {
        int calls = UnderEveryRefusal(f =>
        {
            if (f.Vmm.CreateAddressSpace(out PhysicalAddress space) != VmmStatus.Ok)
                return false;
            bool mapped = f.Vmm.AllocPageIn(space, new VirtualAddress(0x90000000), new PhysicalAddress(0x300000), Rw | PageFlags.User) == VmmStatus.Ok;
            // The audit counts the current space's tables only: give the other space back before it runs.
            Assert.Equal(VmmStatus.Ok, f.Vmm.DestroyAddressSpace(space));
            return mapped;
        });
        Assert.Equal(2, calls); // its directory, then its user page table
    }

    [Fact]
    public void Alloc_frame_identity_mapped_across_empty_slots()
    {
        PhysicalAddress run = default;
        int calls = UnderEveryRefusal(f =>
        {
            var mapper = f.Mapper;
            PmmStatus s = f.Pmm.AllocFrame(3 * Frames.PerLargePage, identityMap: true, ref mapper, out run);
            Assert.True(s is PmmStatus.Ok or PmmStatus.MappingFailed, s.ToString());
            return s == PmmStatus.Ok;
        });
        Assert.True(calls >= 3, $"{calls} tables for 12 MiB");
    }

    [Theory]
    [InlineData("kmalloc")]
    [InlineData("kcalloc")]
    [InlineData("krealloc")]
    [InlineData("kmalloc_aligned")]
    public void Every_heap_growth(string call)
    {
        const uint big = 4u << 20; // more than the initial 3 MiB holds: the heap must grow, and its segment needs tables
        int calls = UnderEveryRefusal(f =>
        {
            uint p = call switch
            {
                "kmalloc" => f.Heap.Kmalloc(big),
                "kcalloc" => f.Heap.Kcalloc(big / 16, 16),
                "krealloc" => Grown(f.Heap),
                _ => f.Heap.KmallocAligned(big, 1u << 20),
            };
            if (p == 0)
                return false;
            Assert.Equal(HeapStatus.Ok, f.Heap.Kfree(p));
            return true;
        });
        Assert.True(calls >= 2, $"{calls}: the segment, then its page tables");

        // krealloc: a small block moved to a size only a grown heap holds; on failure it stays where it was.
        static uint Grown(KernelHeap<RefusingGrowth<Growth>> heap)
        {
            uint small = heap.Kmalloc(64);
            uint moved = heap.Krealloc(small, big);
            if (moved == 0)
                Assert.Equal(HeapStatus.Ok, heap.Kfree(small));
            return moved;
        }
    }

    [Fact]
    public void Create_and_enable_paging_under_every_refusal_then_a_retry_gives_the_same_tables()
    {
        PagingCounts reference;
        using (KernelMachine undisturbed = KernelMachine.Boot(MachineConfig.Default))
            reference = undisturbed.Paging.Vmm.Count();
        int k = 1;
        for (; k < 100; k++)
        {
            using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
            ulong freeBefore = pc.Pmm.Stats.FreeFramesLow;
            var plan = new FaultPlan(k);
            var frames = new RefusingTableFrames(new PmmPageTableFrames(pc.Pmm), plan);
            var port = new SimulatedCpuPort(pc.Cpu);
            VmmStatus created = VirtualMemoryManager<SimulatedCpuPort, RefusingTableFrames>.Create(pc.Checked.Window, port, frames, out var vmm);
            if (created != VmmStatus.Ok)
            {
                Assert.True(plan.Refused);
                Assert.Equal(VmmStatus.NoFrame, created);
                Assert.Equal(freeBefore, pc.Pmm.Stats.FreeFramesLow);
                Assert.True(pc.Pmm.CheckIntegrity().IsOk);
                continue;
            }
            var boot = PagingMachineBootRanges(pc);
            VmmStatus enabled = vmm.EnablePaging(boot.Layout, boot.Ranges);
            // Tables made before the refusal stay in the directory (EnablePaging is documented not to undo); every frame
            // the PMM handed out is one of them, the record or the directory.
            Assert.True(pc.Pmm.CheckIntegrity().IsOk);
            Assert.Equal(TablesHeld(pc.Pmm), vmm.Count().PageTables + 2);
            if (!plan.Refused)
            {
                Assert.Equal(VmmStatus.Ok, enabled);
                Assert.Equal(reference, vmm.Count());
                break;
            }
            Assert.Equal(VmmStatus.NoFrame, enabled);
            Assert.False(pc.Cpu.PagingEnabled);
            Assert.Equal(VmmStatus.Ok, vmm.EnablePaging(boot.Layout, boot.Ranges)); // the refusal was the last one
            Assert.Equal(TablesHeld(pc.Pmm), vmm.Count().PageTables + 2);
            Assert.Equal(reference, vmm.Count()); // the retry kept what the first call made and made the rest
        }
        Assert.True(k > 4, $"{k - 1} calls: the VMM's three frames and the kernel's tables");
    }

    private static (KernelSpaceLayout Layout, ReservedRange[] Ranges) PagingMachineBootRanges(SimulatedPc pc)
    {
        PmmStats stats = pc.Pmm.Stats;
        var layout = new KernelSpaceLayout
        {
            KernelStart = pc.Layout.KernelBase,
            KernelEnd = pc.Layout.KernelEnd,
            HeapStart = pc.Layout.HeapStart,
            HeapEnd = pc.Layout.HeapEnd,
            MetadataStart = stats.MetadataBase,
            MetadataEnd = stats.MetadataBase + stats.MetadataLength,
        };
        var ranges = new ReservedRange[pc.Pmm.ReservedCount];
        return (layout, ranges[..KernelSpaceLayout.CopyBootRanges(pc.Pmm, ranges)]);
    }

    private static uint TablesHeld(PhysicalMemoryManager pmm)
    {
        uint held = 0;
        ExtentCursor cursor = pmm.Allocations();
        while (cursor.Next(out PhysicalAddress at, out uint frames))
            if (pmm.AllocationOwner(at, out FrameOwner owner) && owner == FrameOwner.PageTables)
                held += frames;
        return held;
    }
}
