using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// A write after free over a freed block's first bytes, where its free-tree links live (docs/reliability.md, the
/// finding that was open): the next kmalloc followed the scribbled link and faulted inside the heap. The heap now
/// refuses a link that cannot be a free block, reports <see cref="HeapStatus.BadFreeLink"/>, rebuilds the tree from
/// the headers, and answers the call; every other block keeps its bytes. The heap's accesses go through the
/// simulated MMU, so a link followed into unmapped memory would fault the test.
/// </summary>
public unsafe class BadFreeLinkTests
{
    private static (KernelMachine M, uint Victim, uint After) Scene(HeapOptions options = HeapOptions.None)
    {
        KernelMachine m = KernelMachine.Boot(MachineConfig.ForMemorySize(32u << 20), options: options);
        uint victim = m.Heap.Kmalloc(20), after = m.Heap.Kmalloc(64);
        for (uint i = 0; i < 64; i++)
            m.Pc.Window.Write(after + i, (byte)(0xA0 + i));
        Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(victim));
        return (m, victim, after);
    }

    private static bool AfterIntact(KernelMachine m, uint after)
    {
        for (uint i = 0; i < 64; i++)
            if (m.Pc.Window.Read<byte>(after + i) != (byte)(0xA0 + i))
                return false;
        return true;
    }

    [Theory]
    [InlineData(HeapOptions.None)]
    [InlineData(HeapOptions.Debug)]
    public void The_smallest_reproducer_kfree_then_16_bytes_written_then_kmalloc_is_answered_without_a_fault(HeapOptions options)
    {
        var (m, victim, after) = Scene(options);
        using (m)
        {
            new System.Span<byte>(m.Pc.Window.Bytes(victim, 16, MemoryAccess.Write), 16).Fill(0xEE);

            uint p = m.Heap.Kmalloc(20, out HeapStatus st);

            Assert.NotEqual(0u, p);
            Assert.Equal(HeapStatus.Ok, st);
            HeapStats s = m.Heap.Stats();
            Assert.Equal(1u, s.BadLinks);
            Assert.True(s.MisuseCount >= 1);
            Assert.True(AfterIntact(m, after));
            Assert.True(m.Heap.CheckIntegrity().IsOk);
            Assert.Equal(victim, p); // the rebuilt tree still gives the first fit: the freed block itself
        }
    }

    [Fact]
    public void A_link_to_a_live_blocks_payload_is_refused_by_its_check_word()
    {
        var (m, victim, after) = Scene();
        using (m)
        {
            // A plausible pointer: inside the segment, on the granule, but the "header" there is the caller's data.
            m.Pc.Window.Write(victim + 4, after + 16); // the Right link
            m.Pc.Window.Write(victim, after + 16);     // the Left link
            uint p = m.Heap.Kmalloc(20);
            Assert.NotEqual(0u, p);
            Assert.Equal(1u, m.Heap.Stats().BadLinks);
            Assert.True(AfterIntact(m, after));
            Assert.True(m.Heap.CheckIntegrity().IsOk);
        }
    }

    [Fact]
    public void A_kfree_whose_merge_search_meets_the_bad_link_merges_by_the_headers()
    {
        var (m, victim, after) = Scene();
        using (m)
        {
            new System.Span<byte>(m.Pc.Window.Bytes(victim, 16, MemoryAccess.Write), 16).Fill(0xEE);
            uint blocks = m.Heap.Stats().Blocks;
            Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(after)); // looks for the free block before it in the tree
            HeapStats s = m.Heap.Stats();
            Assert.Equal(1u, s.BadLinks);
            Assert.Equal(blocks - 1, s.Blocks);
            Assert.True(m.Heap.CheckIntegrity().IsOk); // no two free neighbours left: the rebuild merged them
        }
    }

    [Fact]
    public void A_krealloc_that_moves_the_block_and_the_next_kmalloc_finish_with_the_bytes_kept()
    {
        var (m, victim, after) = Scene();
        using (m)
        {
            uint blocker = m.Heap.Kmalloc(64); // so the block cannot grow in place (too big for the freed block)
            new System.Span<byte>(m.Pc.Window.Bytes(victim, 16, MemoryAccess.Write), 16).Fill(0xEE);
            uint moved = m.Heap.Krealloc(after, 4000);
            Assert.NotEqual(0u, moved);
            Assert.NotEqual(0u, m.Heap.Kmalloc(20));
            Assert.True(AfterIntact(m, moved));
            Assert.True(m.Heap.Stats().BadLinks >= 1);
            Assert.True(m.Heap.CheckIntegrity().IsOk);
            Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(blocker));
        }
    }

    [Fact]
    public void Untouched_links_are_never_refused()
    {
        var (m, _, after) = Scene();
        using (m)
        {
            for (uint i = 1; i < 300; i++)
                Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(m.Heap.Kmalloc(i * 13)));
            Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(after));
            Assert.Equal(0u, m.Heap.Stats().BadLinks);
            Assert.Equal(0u, m.Heap.Stats().MisuseCount);
        }
    }
}
