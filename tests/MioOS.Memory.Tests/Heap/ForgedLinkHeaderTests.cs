using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// A write after free that forges a freed block's links to a live block whose payload repeats its header where a
/// free block keeps its header copy (docs/heap.md: a free block holds a trusted copy of its header word at +28).
/// Header and copy then agree, as they do for every free block, but the header says "used": the link must still be
/// refused (<see cref="HeapStatus.BadFreeLink"/>), never followed as a free node. The free-block store's fast path
/// checks the flags as well as the copy; without that the live block would join the free tree and be handed out twice.
/// </summary>
public class ForgedLinkHeaderTests
{
    [Fact]
    public void A_link_to_a_live_block_whose_payload_copies_its_header_is_refused_and_the_block_is_not_handed_out()
    {
        using KernelMachine m = KernelMachine.Boot(MachineConfig.ForMemorySize(32u << 20));
        uint victim = m.Heap.Kmalloc(20), live = m.Heap.Kmalloc(64);
        uint liveBlock = live - 8; // the block starts at its 8-byte header
        uint header = m.Pc.Window.Read<uint>(liveBlock);
        Assert.Equal(1u, header & 1u); // the used flag (docs/heap.md)
        for (uint i = 0; i < 64; i++)
            m.Pc.Window.Write(live + i, (byte)(0xA0 + i));
        // The payload laid out as a free block's node would be (docs/heap.md: links at +8, copy at +28): no children,
        // a height of 1, the block's own size as the subtree's largest; so nothing downstream gives the forgery away.
        m.Pc.Window.Write(live + 0, 0u);                   // Left
        m.Pc.Window.Write(live + 4, 0u);                   // Right
        m.Pc.Window.Write(live + 8, victim - 8);           // Parent: the block whose links are forged
        m.Pc.Window.Write(live + 12, 1u);                  // Height
        m.Pc.Window.Write(live + 16, header & ~7u);        // MaxSize
        m.Pc.Window.Write(live + 20, header);              // block + 28: where a free block keeps its header copy
        Assert.Equal(HeapStatus.Ok, m.Heap.Kfree(victim));

        m.Pc.Window.Write(victim, liveBlock);     // the Left link
        m.Pc.Window.Write(victim + 4, liveBlock); // the Right link

        uint a = m.Heap.Kmalloc(20), b = m.Heap.Kmalloc(64);

        Assert.Equal(1u, m.Heap.Stats().BadLinks);
        Assert.NotEqual(0u, a);
        Assert.NotEqual(0u, b);
        Assert.NotEqual(live, a);
        Assert.NotEqual(live, b);
        for (uint i = 0; i < 64; i++)
        {
            if (i >= 24)
                Assert.Equal((byte)(0xA0 + i), m.Pc.Window.Read<byte>(live + i));
        }
        Assert.Equal(header, m.Pc.Window.Read<uint>(live + 20));
        Assert.Equal(header, m.Pc.Window.Read<uint>(liveBlock)); // its header untouched: still used, still its size
        Assert.True(m.Heap.CheckIntegrity().IsOk);
    }
}
