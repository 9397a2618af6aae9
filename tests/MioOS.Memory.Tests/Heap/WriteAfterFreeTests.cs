using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// A write after free over the word where a free block keeps the copy of its header (the tree's size): the heap
/// used to trust the copy over a header whose check word still held, carve a block of the scribbled size and wreck
/// its neighbours (found by the misuse campaign). The header now wins, the copy is repaired and the damage reported.
/// </summary>
public unsafe class WriteAfterFreeTests
{
    private const uint Scribble = 0xEEEEEEEE;

    private static (KernelMachine M, uint Before, uint Victim, uint After) Scene()
    {
        KernelMachine m = KernelMachine.Boot(MachineConfig.ForMemorySize(32u << 20));
        uint before = m.Heap.Kmalloc(100), victim = m.Heap.Kmalloc(20), after = m.Heap.Kmalloc(64);
        Fill(m, before, 100, 0xB0);
        Fill(m, after, 64, 0xA0);
        Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(victim));
        // The caller writes to the block it freed, over the header copy inside it.
        m.Pc.Window.Write(victim - HeapLayout.HeaderSize + HeapLayout.FreeCopyOffset, Scribble);
        return (m, before, victim, after);
    }

    [Fact]
    public void Kmalloc_of_the_freed_block_trusts_its_header_and_leaves_the_neighbours_whole()
    {
        var (m, before, victim, after) = Scene();
        using (m)
        {
            uint again = m.Heap.Kmalloc(20);
            Assert.Equal(victim, again);
            Assert.True(Holds(m, before, 100, 0xB0) && Holds(m, after, 64, 0xA0));
            HeapStats s = m.Heap.Stats();
            Assert.Equal(HeapStatus.HeaderCorrupted, s.LastMisuse);
            Assert.Equal(victim - HeapLayout.HeaderSize, s.LastMisuseAddress);
            Assert.True(m.Heap.CheckIntegrity().IsOk);
        }
    }

    [Fact]
    public void A_larger_kmalloc_is_not_misled_into_the_freed_block_by_the_scribbled_size()
    {
        var (m, before, victim, after) = Scene();
        using (m)
        {
            uint big = m.Heap.Kmalloc(4000);
            Assert.NotEqual(0u, big);
            Assert.NotEqual(victim, big);
            Assert.True(Holds(m, before, 100, 0xB0) && Holds(m, after, 64, 0xA0));
            // The freed block was not taken, so nothing repaired it yet: the walk names it.
            HeapCheck walk = m.Heap.CheckIntegrity();
            Assert.Equal(HeapStatus.HeaderCorrupted, walk.Status);
            Assert.Equal(victim - HeapLayout.HeaderSize, walk.Address);
        }
    }

    [Fact]
    public void Freeing_the_block_before_it_merges_by_the_header_and_leaves_the_block_after_whole()
    {
        var (m, before, _, after) = Scene();
        using (m)
        {
            Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(before));
            Assert.True(Holds(m, after, 64, 0xA0));
            Assert.True(m.Heap.CheckIntegrity().IsOk);
            Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(after));
            Assert.True(m.Heap.CheckIntegrity().IsOk);
        }
    }

    private static void Fill(KernelMachine m, uint at, uint size, byte seed)
    {
        byte* p = m.Pc.Window.Bytes(at, size, MemoryAccess.Write);
        for (uint i = 0; i < size; i++)
            p[i] = (byte)(seed + i);
    }

    private static bool Holds(KernelMachine m, uint at, uint size, byte seed)
    {
        byte* p = m.Pc.Window.Bytes(at, size, MemoryAccess.Read);
        for (uint i = 0; i < size; i++)
            if (p[i] != (byte)(seed + i))
                return false;
        return true;
    }
}
