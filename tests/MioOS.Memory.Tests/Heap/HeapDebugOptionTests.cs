using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// <see cref="HeapOptions.Debug"/>: every block ends with the size asked for and a canary before it, checked by kfree,
/// krealloc and the integrity walk; freed payloads are poisoned beyond the tree's links and checked when handed out.
/// The expected bytes and sizes are worked out here from the documented layout (docs/heap.md), not read from the heap.
/// </summary>
public unsafe class HeapDebugOptionTests
{
    private const byte Canary = 0xCA, Poison = 0xDE;

    private static KernelMachine Boot(HeapOptions options = HeapOptions.Debug) =>
        KernelMachine.Boot(MachineConfig.ForMemorySize(32u << 20), options: options);

    [Fact]
    public void A_block_ends_with_the_size_asked_for_and_canary_bytes_between_and_its_usable_size_is_the_request()
    {
        using KernelMachine m = Boot();
        uint p = m.Heap.Kmalloc(20);
        // 20 + 8 (header) + 8 (canary 4, size word 4) = 36, rounded to 40: payload 20, canary 8, size word 4.
        Assert.True(m.Heap.Block(p - 8, out uint size, out bool used, out _) && used);
        Assert.Equal(40u, size);
        byte* b = m.Pc.Window.Bytes(p, 32, MemoryAccess.Read);
        for (int i = 20; i < 28; i++)
            Assert.Equal(Canary, b[i]);
        Assert.Equal(20u, *(uint*)(b + 28));
        Assert.Equal(20u, m.Heap.UsableSize(p));
        Assert.True(m.Heap.CheckIntegrity().IsOk);
    }

    [Fact]
    public void An_overrun_of_one_byte_is_refused_by_kfree_and_named_by_the_walk_and_the_block_stays_allocated()
    {
        using KernelMachine m = Boot();
        uint p = m.Heap.Kmalloc(20);
        uint blocks = m.Heap.Stats().Blocks;
        m.Pc.Window.Write<byte>(p + 20, 0);

        Assert.Equal(HeapStatus.CanaryOverwritten, m.Heap.Kfree(p));
        HeapStats s = m.Heap.Stats();
        Assert.Equal(blocks, s.Blocks);
        Assert.Equal(HeapStatus.CanaryOverwritten, s.LastMisuse);
        Assert.Equal(p - 8, s.LastMisuseAddress);
        HeapCheck walk = m.Heap.CheckIntegrity();
        Assert.Equal(HeapStatus.CanaryOverwritten, walk.Status);
        Assert.Equal(p - 8, walk.Address);
        Assert.Equal(0u, m.Heap.Krealloc(p, 64, out HeapStatus st));
        Assert.Equal(HeapStatus.CanaryOverwritten, st);
    }

    [Fact]
    public void An_overrun_over_the_size_word_is_refused()
    {
        using KernelMachine m = Boot();
        uint p = m.Heap.Kmalloc(20);
        m.Pc.Window.Write(p + 28, 0xCACACACAu); // canary intact, the size word says more than the block holds
        Assert.Equal(HeapStatus.CanaryOverwritten, m.Heap.Kfree(p));
    }

    [Fact]
    public void Without_the_option_the_same_overrun_inside_the_rounding_is_not_seen()
    {
        using KernelMachine m = Boot(HeapOptions.None);
        uint p = m.Heap.Kmalloc(20);
        m.Pc.Window.Write<byte>(p + 20, 0);
        Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(p));
    }

    [Fact]
    public void A_freed_payload_is_poisoned_beyond_the_links_and_a_write_to_it_is_reported_when_the_block_is_handed_out()
    {
        using KernelMachine m = Boot();
        uint p = m.Heap.Kmalloc(100), guard = m.Heap.Kmalloc(16);
        Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(p));
        // Block of 8 + 100 + 8 = 116 -> 120: links and header copy in its first 32 bytes, poison from payload + 24.
        byte* b = m.Pc.Window.Bytes(p, 112, MemoryAccess.Read);
        for (int i = 24; i < 112; i++)
            Assert.Equal(Poison, b[i]);
        Assert.True(m.Heap.CheckIntegrity().IsOk);

        m.Pc.Window.Write(p + 48, 0x12345678u);
        HeapCheck walk = m.Heap.CheckIntegrity();
        Assert.Equal(HeapStatus.WriteAfterFree, walk.Status);
        Assert.Equal(p - 8, walk.Address);

        uint again = m.Heap.Kmalloc(100, out HeapStatus st);
        Assert.Equal(p, again); // first fit, as before the damage
        Assert.Equal(HeapStatus.Ok, st);
        HeapStats s = m.Heap.Stats();
        Assert.Equal(HeapStatus.WriteAfterFree, s.LastMisuse);
        Assert.Equal(p - 8, s.LastMisuseAddress);
        Assert.True(m.Heap.CheckIntegrity().IsOk);
        Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(guard));
    }

    [Fact]
    public void Merged_free_blocks_are_poison_everywhere_but_the_merged_blocks_own_head()
    {
        using KernelMachine m = Boot();
        uint a = m.Heap.Kmalloc(40), b = m.Heap.Kmalloc(40), c = m.Heap.Kmalloc(40), guard = m.Heap.Kmalloc(8);
        Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(a));
        Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(c));
        Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(b)); // merges with both neighbours: one free block at a's header
        uint start = a - 8, end = guard - 8;
        byte* bytes = m.Pc.Window.Bytes(start, end - start, MemoryAccess.Read);
        for (uint i = 32; i < end - start; i++)
            Assert.Equal(Poison, bytes[i]);
        Assert.True(m.Heap.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Krealloc_keeps_the_bytes_asked_for_and_arms_the_canary_of_the_new_size_in_place_and_when_moved()
    {
        using KernelMachine m = Boot();
        uint p = m.Heap.Kmalloc(30);
        for (uint i = 0; i < 30; i++)
            m.Pc.Window.Write(p + i, (byte)(i + 1));
        uint blocker = m.Heap.Kmalloc(8);
        uint moved = m.Heap.Krealloc(p, 200);
        Assert.NotEqual(p, moved);
        for (uint i = 0; i < 30; i++)
            Assert.Equal((byte)(i + 1), m.Pc.Window.Read<byte>(moved + i));
        Assert.Equal(200u, m.Heap.UsableSize(moved));
        uint shrunk = m.Heap.Krealloc(moved, 10);
        Assert.Equal(moved, shrunk);
        Assert.Equal(10u, m.Heap.UsableSize(shrunk));
        Assert.Equal(Canary, m.Pc.Window.Read<byte>(shrunk + 10));
        uint grown = m.Heap.Krealloc(shrunk, 100); // the tail it gave back is free: grows in place
        Assert.Equal(shrunk, grown);
        Assert.Equal(100u, m.Heap.UsableSize(grown));
        Assert.True(m.Heap.CheckIntegrity().IsOk);
        m.Pc.Window.Write<byte>(grown + 100, 0);
        Assert.Equal(HeapStatus.CanaryOverwritten, m.Heap.CheckIntegrity().Status);
        Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(blocker));
    }

    [Fact]
    public void Aligned_and_zeroed_allocations_get_canaries_too()
    {
        using KernelMachine m = Boot();
        uint a = m.Heap.KmallocAligned(50, 256);
        Assert.Equal(0u, a % 256);
        uint z = m.Heap.Kcalloc(3, 7);
        for (uint i = 0; i < 21; i++)
            Assert.Equal(0, m.Pc.Window.Read<byte>(z + i));
        Assert.Equal(50u, m.Heap.UsableSize(a));
        Assert.Equal(21u, m.Heap.UsableSize(z));
        Assert.True(m.Heap.CheckIntegrity().IsOk);
        m.Pc.Window.Write<byte>(a + 50, 1);
        Assert.Equal(HeapStatus.CanaryOverwritten, m.Heap.Kfree(a));
        Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(z));
    }
}
