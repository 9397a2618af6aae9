using MioOS.Memory.Boot;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using static MioOS.Memory.Tests.Support.Machines;

namespace MioOS.Memory.Tests.Physical;

/// <summary>
/// <see cref="PhysicalMemoryManager.Initialize"/>'s layout refusals, each at its boundary: the last layout accepted
/// and the first refused. The heap is the spec's (section 3): kernel base + 1 MiB, 3 MiB long; so with the kernel at
/// 1 MiB it is [2 MiB, 5 MiB).
/// </summary>
public class PmmLayoutBoundaryTests
{
    private const ulong Base = 0x100000, HeapStart = 0x200000, HeapEnd = 0x500000, FourGiB = 1ul << 32;

    /// <summary>640 KiB of base memory and RAM from 1 MiB to 32 MiB.</summary>
    private static MemoryMapEntry[] Plain => [E(0, 0x9FC00), E(Base, 0x2000000 - Base)];

    private static (PmmInitStatus, ulong) Start(KernelLayout layout, MemoryMapEntry[] map, params ReservedRange[] boot)
    {
        using var m = new HandBuiltPmm(layout, map, boot);
        return (m.Result.Status, m.Result.Address);
    }

    [Fact]
    public void A_kernel_base_at_4_GiB_is_a_bad_layout()
    {
        // The low region runs from the kernel base to 4 GiB: a base at 4 GiB leaves it empty. RAM is there, so only
        // the base's own check can refuse it as a layout.
        MemoryMapEntry[] map = [E(0, 0x9FC00), E(Base, 0x2000000 - Base), E(FourGiB, 64ul << 20)];
        Assert.Equal((PmmInitStatus.BadKernelLayout, FourGiB), Start(new KernelLayout(FourGiB, FourGiB + 0x80000), map));
    }

    [Theory]
    [InlineData(0x100800ul, 0x180000ul)] // base not at a frame boundary
    [InlineData(0x100000ul, 0xFFFFFul)]  // image ending one byte before it starts
    public void A_misaligned_base_or_an_image_ending_before_it_starts_is_a_bad_layout(ulong kernelBase, ulong kernelEnd)
    {
        Assert.Equal((PmmInitStatus.BadKernelLayout, kernelBase), Start(new KernelLayout(kernelBase, kernelEnd), Plain));
    }

    [Fact]
    public void An_empty_image_at_the_base_is_a_layout()
    {
        Assert.Equal((PmmInitStatus.Ok, 0ul), Start(new KernelLayout(Base, Base), Plain));
    }

    [Fact]
    public void A_kernel_ending_exactly_where_the_heap_starts_is_accepted_and_one_byte_more_overlaps_it()
    {
        using (var m = new HandBuiltPmm(new KernelLayout(Base, HeapStart), Plain))
        {
            Assert.Equal(PmmInitStatus.Ok, m.Result.Status);
            // Kernel [1 MiB, 2 MiB) and heap [2 MiB, 5 MiB) leave no free frame below the metadata.
            Assert.Equal((Base, HeapStart - Base, ReservedKind.KernelImage), (m.Pmm.Reserved(0).Base, m.Pmm.Reserved(0).Length, m.Pmm.Reserved(0).Kind));
            Assert.True(PmmAssert.Free(m.Pmm, FrameRegion.Low)[0].Start >= HeapEnd);
        }
        Assert.Equal((PmmInitStatus.KernelOverlapsHeap, HeapStart + 1), Start(new KernelLayout(Base, HeapStart + 1), Plain));
    }

    [Fact]
    public void Available_memory_ending_below_the_kernel_base_is_no_home_for_the_kernel()
    {
        // All of the first MiB is available, then nothing until 2 MiB: the base at 1 MiB lies in no available range.
        MemoryMapEntry[] map = [E(0, Base), E(0x200000, 0x1E00000)];
        Assert.Equal((PmmInitStatus.NoUsableLowMemory, Base), Start(new KernelLayout(Base, 0x180000), map));
    }

    [Fact]
    public void A_home_range_ending_exactly_at_the_heaps_end_is_enough_and_one_frame_less_is_not()
    {
        // RAM [1 MiB, 5 MiB) holds the kernel and the heap exactly; the metadata goes to the next range, at 16 MiB.
        MemoryMapEntry[] map = [E(0, 0x9FC00), E(Base, HeapEnd - Base), E(0x1000000, 0x1000000)];
        using (var m = new HandBuiltPmm(new KernelLayout(Base, 0x180000), map))
        {
            Assert.Equal(PmmInitStatus.Ok, m.Result.Status);
            Assert.Equal(0x1000000ul, m.Pmm.Stats.MetadataBase);
        }
        MemoryMapEntry[] shorter = [E(0, 0x9FC00), E(Base, HeapEnd - Base - Frames.Size), E(0x1000000, 0x1000000)];
        Assert.Equal((PmmInitStatus.NoUsableLowMemory, HeapEnd - Frames.Size), Start(new KernelLayout(Base, 0x180000), shorter));
    }

    [Theory]
    [InlineData(HeapStart - 0x1000, 0x1000ul, PmmInitStatus.Ok)]             // ends where the heap starts
    [InlineData(HeapStart - 0x1000, 0x1001ul, PmmInitStatus.BootInfoInHeap)] // its last byte is the heap's first
    [InlineData(HeapEnd, 0x1000ul, PmmInitStatus.Ok)]                        // starts where the heap ends
    [InlineData(HeapEnd - 1, 1ul, PmmInitStatus.BootInfoInHeap)]            // the heap's last byte
    [InlineData(HeapStart + 0x1000, 0ul, PmmInitStatus.Ok)]                  // empty: covers nothing
    public void Boot_information_is_refused_exactly_when_it_shares_a_byte_with_the_heap(ulong at, ulong length, PmmInitStatus expected)
    {
        (PmmInitStatus status, ulong address) = Start(new KernelLayout(Base, 0x180000), Plain, new ReservedRange(at, length, ReservedKind.InfoBlock));
        Assert.Equal((expected, expected == PmmInitStatus.Ok ? 0 : at), (status, address));
    }

    [Fact]
    public void Boot_regions_given_out_of_order_are_reserved_in_address_order_rounded_out_to_whole_frames()
    {
        // Between the kernel's end (1.5 MiB) and the heap: a module at 0x1E0000 and an info block at 0x190800
        // (256 bytes), given in that order, and an empty command line, which takes nothing, between them.
        ReservedRange[] boot =
        [
            new(0x1E0000, 0x1000, ReservedKind.Module),
            new(0x1A0800, 0, ReservedKind.CommandLine),
            new(0x190800, 0x100, ReservedKind.InfoBlock),
        ];
        using var m = new HandBuiltPmm(new KernelLayout(Base, 0x180000), Plain, boot);
        Assert.Equal(PmmInitStatus.Ok, m.Result.Status);
        var reserved = Enumerable.Range(0, (int)m.Pmm.ReservedCount).Select(i => m.Pmm.Reserved((uint)i)).Select(r => (r.Base, r.Length, r.Kind));
        Assert.Equal(
        [
            (Base, 0x80000ul, ReservedKind.KernelImage),
            (0x190000ul, 0x1000ul, ReservedKind.InfoBlock),
            (0x1E0000ul, 0x1000ul, ReservedKind.Module),
            (HeapStart, 0x300000ul, ReservedKind.Heap),
            (HeapEnd, m.Pmm.Stats.MetadataLength, ReservedKind.PmmMetadata),
        ], reserved);
        Assert.Equal([(0x180000ul, 16ul), (0x191000ul, 0x4Ful), (0x1E1000ul, 0x1Ful)], PmmAssert.Free(m.Pmm, FrameRegion.Low).Take(3));
        PmmAssert.Intact(m.Pmm);
    }
}
