using System.Runtime.InteropServices;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// The free tree's store vouches for every link the tree reads from free memory before the tree follows it
/// (<see cref="FreeBlockStore.Follow"/>, docs/heap.md "Links in free memory"): a link is followed only when it can be
/// a free block: inside a segment with room for one, on the granule, its header marked free (or, when header and
/// copy differ, the one the check word speaks for), a whole number of granules that ends inside its segment. Anything
/// else is refused: the store answers its scratch block instead and records the first refused link. The checks are
/// asked here of the store itself, on a heap of two segments, once with the store's hint on the link's segment (its
/// fast path) and once on the other segment (its binary search of the segment table).
/// </summary>
public sealed unsafe class FreeBlockStoreFollowTests
{
    /// <summary>Kernel heap granule (8): a block starts 8 bytes (its header) before a granule boundary.</summary>
    private const uint Granule = HeapLayout.KernelGranule;

    /// <summary>
    /// A heap of two segments: the initial one (segment 0, its size given) with a freed 24-byte
    /// allocation between two live ones, and a second one grown by an allocation that did not fit in the first.
    /// </summary>
    private sealed class TwoSegments : System.IDisposable
    {
        public readonly HostedHeap Heap;
        public readonly uint FreeInFirst, LiveInFirst, FreeInSecond;

        public TwoSegments(uint initialBytes, uint fillFirst, uint growBy)
        {
            Heap = new HostedHeap(256UL << 20, size: initialBytes);
            uint a = Heap.Kmalloc(24);
            LiveInFirst = Heap.Kmalloc(512) - 8;
            Heap.Kfree(a);
            FreeInFirst = a - 8;
            if (fillFirst != 0)
                Assert.NotEqual(0u, Heap.Kmalloc(fillFirst));
            uint big = Heap.Kmalloc(growBy);
            Assert.Equal(2u, Control.SegmentCount);
            Assert.Equal(SegmentStart(1), big - 8);
            // The block after the grown allocation: the rest of the second segment, free.
            FreeInSecond = big - 8 + (Word(big - 8) & ~7u);
            Assert.True(FreeInSecond + HeapLayout.MinBlock <= SegmentEnd(1));
            Assert.Equal(0u, Word(FreeInSecond) & HeapLayout.UsedFlag);
        }

        public ref HeapControl Control =>
            ref MemoryMarshal.AsRef<HeapControl>(Heap.Bytes(Heap.Core.Start, sizeof(HeapControl)));

        public uint SegmentStart(int s) => Control.Segments[s * 2];
        public uint SegmentEnd(int s) => Control.Segments[s * 2] + Control.Segments[s * 2 + 1];

        /// <summary>The address the store answers for a refused link.</summary>
        public uint Scratch => Heap.Core.Start + (uint)Marshal.OffsetOf<HeapControl>(nameof(HeapControl.Scratch));

        /// <summary>A store as the heap makes one at the start of a call, its hint where the control block says.</summary>
        public FreeBlockStore Store(uint hint)
        {
            Control.SegmentHint = hint;
            return new FreeBlockStore(Heap.Ram.DirectWindow, Heap.Core.Start);
        }

        public uint Word(uint address) => MemoryMarshal.Read<uint>(Heap.Bytes(address, 4));
        public void Put(uint address, uint value) => MemoryMarshal.Write(Heap.Bytes(address, 4), in value);

        /// <summary>Lays out what a free block's first 32 bytes hold: its header word, no links, the copy at +28.</summary>
        public void FreeNode(uint at, uint header, uint copy)
        {
            Heap.Bytes(at, (int)HeapLayout.MinBlock).Clear();
            Put(at, header);
            Put(at + HeapLayout.FreeCopyOffset, copy);
        }

        public void Dispose() => Heap.Dispose();
    }

    /// <summary>3 MiB initial segment, a 5 MiB allocation grows a larger second one.</summary>
    private static TwoSegments LargerSecond() => new(3u << 20, 0, 5u << 20);

    /// <summary>8 MiB initial segment filled to 7.5 MiB, a 1 MiB allocation grows a smaller second one.</summary>
    private static TwoSegments SmallerSecond() => new(8u << 20, 15u << 19, 1u << 20);

    [Fact]
    public void Free_blocks_are_followed_in_the_hinted_segment_and_in_another_one_which_then_becomes_the_hint()
    {
        using TwoSegments h = LargerSecond();
        FreeBlockStore store = h.Store(0);
        Assert.Equal(h.FreeInFirst, store.Follow(h.FreeInFirst));
        Assert.Equal(h.FreeInSecond, store.Follow(h.FreeInSecond));
        Assert.Equal(1u, h.Control.SegmentHint);
        Assert.Equal(h.FreeInFirst, store.Follow(h.FreeInFirst));
        Assert.Equal(0u, h.Control.BadLink);
    }

    public enum Forgery
    {
        /// <summary>A well-formed free node 4 bytes off the granule.</summary>
        OffTheGranule,
        /// <summary>A free node in the segment's last 24 bytes: no room for a block.</summary>
        InTheLast24Bytes,
        /// <summary>A 96-byte free node 64 bytes before the segment's end.</summary>
        SizePastTheEnd,
        /// <summary>A well-formed free node 64 bytes past the segment's end (outside every segment).</summary>
        PastTheEnd,
        /// <summary>A free node whose size is not a whole number of granules.</summary>
        SizeOffTheGranule,
        /// <summary>Header free, copy used, no check word, and the rest of the block full of the free header.</summary>
        CopySaysUsed,
        /// <summary>A live block's header repeated where a free block keeps its copy.</summary>
        LiveHeaderCopied,
        /// <summary>A live block (valid check word) whose payload holds a free word where the copy would be.</summary>
        LiveBlockWithFreeWordAtCopy,
    }

    public static TheoryData<Forgery, bool> Forgeries()
    {
        TheoryData<Forgery, bool> data = new();
        foreach (Forgery f in System.Enum.GetValues<Forgery>())
        {
            data.Add(f, true);
            data.Add(f, false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void A_link_that_cannot_be_a_free_block_is_refused_and_recorded(Forgery forgery, bool hintOnItsSegment)
    {
        using TwoSegments h = LargerSecond();
        uint end = h.SegmentEnd(0);
        uint inLive = h.LiveInFirst + 64; // a block address (8 below a granule) inside the live 512-byte payload
        uint link;
        switch (forgery)
        {
            case Forgery.OffTheGranule:
                // 12 past a 16-byte boundary: 4 bytes off the block alignment, whatever bits above the granule's are.
                link = ((inLive + 15) & ~15u) + 12;
                h.FreeNode(link, 32, 32);
                break;
            case Forgery.InTheLast24Bytes:
                link = end - 24;
                h.FreeNode(link, 32, 32);
                break;
            case Forgery.SizePastTheEnd:
                link = end - 64;
                h.FreeNode(link, 96, 96);
                break;
            case Forgery.PastTheEnd:
                link = end + 64;
                h.FreeNode(link, 32, 32);
                break;
            case Forgery.SizeOffTheGranule:
                link = inLive;
                h.FreeNode(link, 36, 36);
                break;
            case Forgery.CopySaysUsed:
                link = inLive;
                for (uint i = 0; i < 452; i += 4) // up to the live payload's end
                    h.Put(link + i, 32);
                h.Put(link + HeapLayout.FreeCopyOffset, 32 | HeapLayout.UsedFlag);
                Assert.NotEqual(32u, HeapLayout.CheckWord(link, 32, h.Control.Secret));
                break;
            case Forgery.LiveHeaderCopied:
                link = h.LiveInFirst;
                h.Put(link + HeapLayout.FreeCopyOffset, h.Word(link));
                break;
            case Forgery.LiveBlockWithFreeWordAtCopy:
                link = h.LiveInFirst;
                h.Put(link + HeapLayout.FreeCopyOffset, h.Word(link) & ~HeapLayout.FlagMask);
                break;
            default:
                throw new System.ArgumentOutOfRangeException(nameof(forgery));
        }
        FreeBlockStore store = h.Store(hintOnItsSegment ? 0u : 1u);

        Assert.Equal(h.Scratch, store.Follow(link));
        Assert.Equal(link, h.Control.BadLink);
        // The scratch block the tree gets instead: no links, the largest size (so every walk and search stops there).
        Assert.Equal(0u, store.Links(h.Scratch).Left);
        Assert.Equal(0u, store.Links(h.Scratch).Right);
        Assert.Equal(~HeapLayout.FlagMask, store.Size(h.Scratch));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_free_block_of_exactly_the_smallest_size_at_the_segments_very_end_is_followed(bool hintOnItsSegment)
    {
        using TwoSegments h = LargerSecond();
        uint link = h.SegmentEnd(0) - HeapLayout.MinBlock;
        h.FreeNode(link, HeapLayout.MinBlock | HeapLayout.LastFlag, HeapLayout.MinBlock | HeapLayout.LastFlag);
        FreeBlockStore store = h.Store(hintOnItsSegment ? 0u : 1u);
        Assert.Equal(link, store.Follow(link));
        Assert.Equal(0u, h.Control.BadLink);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_link_just_past_the_hinted_second_segment_or_in_the_gap_before_it_is_refused(bool secondIsLarger)
    {
        using TwoSegments h = secondIsLarger ? LargerSecond() : SmallerSecond();
        uint pastSecond = h.SegmentEnd(1) + 64, inGap = h.SegmentEnd(0) + 64;
        Assert.True(inGap + 64 < h.SegmentStart(1));
        h.FreeNode(pastSecond, 32, 32);
        h.FreeNode(inGap, 32, 32);

        // The hint moved to the second segment by a link followed there during this call...
        FreeBlockStore store = h.Store(0);
        Assert.Equal(h.FreeInSecond, store.Follow(h.FreeInSecond));
        Assert.Equal(h.Scratch, store.Follow(pastSecond));
        Assert.Equal(h.Scratch, store.Follow(inGap));

        // ...and left there by an earlier call.
        FreeBlockStore next = h.Store(1);
        Assert.Equal(h.Scratch, next.Follow(pastSecond));
        Assert.Equal(h.Scratch, next.Follow(inGap));
        Assert.Equal(h.FreeInSecond, next.Follow(h.FreeInSecond));
        Assert.Equal(pastSecond, h.Control.BadLink); // the first refusal is the one kept
    }

    [Fact]
    public void A_hint_left_on_a_segment_since_released_is_not_trusted()
    {
        using TwoSegments h = new(3u << 20, 0, 6u << 20); // larger than the spare the heap keeps (4 MiB)
        uint secondStart = h.SegmentStart(1);
        FreeBlockStore store = h.Store(0);
        Assert.Equal(h.FreeInSecond, store.Follow(h.FreeInSecond));
        Assert.Equal(1u, h.Control.SegmentHint);

        h.Heap.Kfree(secondStart + 8);
        Assert.Equal(1u, h.Control.SegmentCount);
        Assert.Equal(secondStart, h.Control.Segments[2]); // the released segment still in the slot past the table's end

        uint stale = secondStart + 4096;
        h.FreeNode(stale, 64, 64);
        FreeBlockStore after = h.Store(1); // a hint left on that slot (the call that released it may end with it there)
        Assert.Equal(h.Scratch, after.Follow(stale));
        Assert.Equal(h.FreeInFirst, after.Follow(h.FreeInFirst));
        // Two past the end, as two segments given back would leave it (that slot never used: all zeros).
        FreeBlockStore further = h.Store(2);
        Assert.Equal(h.Scratch, further.Follow(stale));
        Assert.Equal(h.FreeInFirst, further.Follow(h.FreeInFirst));
    }

    [Fact]
    public void A_null_link_handed_to_the_store_is_refused_and_still_reads_as_a_pending_refusal()
    {
        using TwoSegments h = LargerSecond();
        FreeBlockStore store = h.Store(0);
        Assert.Equal(h.Scratch, store.Follow(0));
        Assert.NotEqual(0u, h.Control.BadLink);
    }

    [Fact]
    public void In_a_heap_of_32_byte_granules_a_block_16_bytes_off_is_refused_and_one_on_the_granule_is_followed()
    {
        using HostedHeap heap = new(64UL << 20, granule: 32);
        ref HeapControl c = ref MemoryMarshal.AsRef<HeapControl>(heap.Bytes(heap.Core.Start, sizeof(HeapControl)));
        uint a = heap.Kmalloc(100), live = heap.Kmalloc(200);
        heap.Kfree(a);
        uint free = a - 8;
        Assert.Equal(0u, (free + 8) % 32);
        // A write after free scribbles the copy: header and copy differ, the header's check word speaks for it.
        MemoryMarshal.Write(heap.Bytes(free + HeapLayout.FreeCopyOffset, 4), 0xEEEE_EEEEu);
        uint off = live + 64 + 8; // a block address 16 bytes off the 32-byte granule
        Assert.Equal(16u, (off + 8) % 32);
        heap.Bytes(off, 32).Clear();
        MemoryMarshal.Write(heap.Bytes(off, 4), 64u);
        MemoryMarshal.Write(heap.Bytes(off + HeapLayout.FreeCopyOffset, 4), 64u);

        FreeBlockStore store = new(heap.Ram.DirectWindow, heap.Core.Start);
        Assert.Equal(free, store.Follow(free));
        Assert.NotEqual(off, store.Follow(off));
        Assert.Equal(off, c.BadLink);
    }
}
