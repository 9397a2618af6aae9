using System;
using System.Collections.Generic;
using System.Linq;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Faults;

/// <summary>
/// Exhaustion and back: the heap filled until nothing more fits (growing until the PMM has nothing to give), low
/// memory filled to the last frame, then everything freed in a random order: the PMM's extents and allocations, the
/// heap's blocks and segments and the page tables are what they were before.
/// </summary>
public class FillAndBackOutTests
{
    /// <summary>Everything that must come back exactly.</summary>
    private sealed record State(string FreeLow, string FreeHigh, string Allocations, string HeapBlocks, string PageMap, string Directory)
    {
        public static State Of(KernelMachine m)
        {
            PhysicalMemoryManager pmm = m.Pc.Pmm;
            return new State(Extents(pmm.FreeExtents(FrameRegion.Low), pmm, owners: false), Extents(pmm.FreeExtents(FrameRegion.High), pmm, owners: false),
                Extents(pmm.Allocations(), pmm, owners: true), Blocks(m.Heap), string.Join(" ", m.Paging.PageMap()), DirectoryEntries(m.Paging.Vmm));
        }

        private static string Extents(ExtentCursor cursor, PhysicalMemoryManager pmm, bool owners)
        {
            var parts = new List<string>();
            while (cursor.Next(out PhysicalAddress at, out uint frames))
            {
                string owner = owners && pmm.AllocationOwner(at, out FrameOwner o) ? $" {o}" : "";
                parts.Add($"{at.Value:X}+{frames}{owner}");
            }
            return string.Join(" ", parts);
        }

        private static string Blocks<TGrowth>(KernelHeap<TGrowth> heap) where TGrowth : struct, IHeapGrowth
        {
            var parts = new List<string>();
            for (int i = 0; heap.Segment(i, out uint start, out uint length); i++)
            {
                parts.Add($"[{start:X}+{length:X}]");
                for (uint at = start; at < start + length;)
                {
                    Assert.True(heap.Block(at, out uint size, out bool used, out _), $"no block at 0x{at:X}");
                    parts.Add($"{at:X}+{size:X}{(used ? "u" : "f")}");
                    at += size;
                }
            }
            return string.Join(" ", parts);
        }

        // Raw directory entries without A and D, which the CPU sets as it walks.
        private static string DirectoryEntries<TCpu, TFrames>(VirtualMemoryManager<TCpu, TFrames> vmm)
            where TCpu : struct, ICpu where TFrames : struct, IPageTableFrames =>
            string.Join(" ", Enumerable.Range(0, (int)Frames.PerLargePage)
                .Select(d => vmm.ReadDirectoryEntry((uint)d).Value & ~(uint)(PageFlags.Accessed | PageFlags.Dirty))
                .Select(v => v.ToString("X")));
    }

    [Theory]
    [InlineData(32, 1)]
    [InlineData(64, 2)]
    public void Heap_and_low_memory_filled_to_the_last_byte_then_freed_leave_every_layer_as_it_was(int megabytes, int seed)
    {
        using KernelMachine m = KernelMachine.Boot(MachineConfig.ForMemorySize((ulong)megabytes << 20));
        State before = State.Of(m);
        var heap = m.Heap;
        PhysicalMemoryManager pmm = m.Pc.Pmm;
        var mapper = m.Paging.Mapper();
        var blocks = new List<uint>();
        var runs = new List<PhysicalAddress>();

        // The heap, from 1 MiB requests down to 1 byte, each size until it is refused: the heap grows while the PMM
        // has frames (and tables) for a segment.
        for (uint size = 1u << 20; size >= 1; size >>= 1)
            for (uint p; (p = heap.Kmalloc(size)) != 0;)
                blocks.Add(p);
        Assert.True(heap.Stats().Grows > 0, "the heap never grew");
        // Low memory, from 1024-frame runs down to single frames, every fourth one identity-mapped while tables last.
        int n = 0;
        for (uint frames = Frames.PerLargePage; frames >= 1; frames >>= 1)
            for (PmmStatus s; (s = pmm.AllocFrame(frames, identityMap: n++ % 4 == 0, ref mapper, out PhysicalAddress run)) is PmmStatus.Ok
                 || (s == PmmStatus.MappingFailed && pmm.AllocFrame(frames, out run) == PmmStatus.Ok);)
                runs.Add(run);
        Assert.Equal(0ul, pmm.Stats.FreeFramesLow);
        Assert.Equal(0u, heap.Kmalloc(1));
        Assert.True(SubsystemAudit.Check(m).IsOk);

        var random = new Random(seed);
        foreach (uint p in blocks.OrderBy(_ => random.Next()))
            Assert.Equal(HeapStatus.Ok, heap.Kfree(p));
        foreach (PhysicalAddress run in runs.OrderBy(_ => random.Next()))
            Assert.Equal(PmmStatus.Ok, pmm.FreeFrame(run, ref mapper));

        // The heap keeps one wholly free grown segment as its spare (HeapLayout.KeepOneSpareSegment); trimming
        // gives it back, and only then is every frame where it was.
        Assert.True(heap.Stats().SpareBytes > 0, "the heap kept no spare segment");
        Assert.True(heap.Trim() > 0);
        Assert.Equal(0u, heap.Stats().SpareBytes);
        State after = State.Of(m);
        Assert.Equal(before.FreeLow, after.FreeLow);
        Assert.Equal(before.FreeHigh, after.FreeHigh);
        Assert.Equal(before.Allocations, after.Allocations);
        Assert.Equal(before.HeapBlocks, after.HeapBlocks);
        Assert.Equal(before.PageMap, after.PageMap);
        Assert.Equal(before.Directory, after.Directory);
        Assert.True(SubsystemAudit.Check(m).IsOk);
    }
}
