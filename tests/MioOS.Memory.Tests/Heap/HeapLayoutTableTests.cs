using MioOS.Memory.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// The heap's layout functions pinned to values worked out by hand from docs/heap.md: block size
/// <c>max(32, round8(n + 8))</c> (0 for 0 and above 0x7FFF0000), the aligned placement's leading fragment (0 or
/// at least 32) and the size that always takes an aligned request (<c>need + 32 + a - 8</c>). The model-based
/// tests check the heap against <see cref="FirstFitModel"/>; these check the functions themselves, so a change
/// in either shows up here as a number.
/// </summary>
public class HeapLayoutTableTests
{
    [Theory]
    [InlineData(0u, 0u)]
    [InlineData(1u, 32u)]          // 9 -> 16, below the smallest block
    [InlineData(8u, 32u)]
    [InlineData(23u, 32u)]         // 31 -> 32
    [InlineData(24u, 32u)]         // exactly 32
    [InlineData(25u, 40u)]         // 33 -> 40
    [InlineData(32u, 40u)]
    [InlineData(33u, 48u)]         // 41 -> 48
    [InlineData(100u, 112u)]       // 108 -> 112
    [InlineData(500u, 512u)]       // 508 -> 512
    [InlineData(1000u, 1008u)]
    [InlineData(4096u, 4104u)]
    [InlineData(65_535u, 65_544u)] // 65,543 -> 65,544
    [InlineData(0x7FFF_0000u, 0x7FFF_0008u)] // the largest request
    [InlineData(0x7FFF_0001u, 0u)]
    [InlineData(uint.MaxValue, 0u)]
    public void Block_size_for_a_request(uint request, uint block)
    {
        Assert.Equal(block, HeapLayout.BlockSizeFor(request));
        Assert.Equal(block, FirstFitModel.BlockFor(request));
    }

    [Theory]
    // The malloc library's granule: max(32, round16(n + 8)).
    [InlineData(0u, 0u)]
    [InlineData(1u, 32u)]          // 9 -> 16, below the smallest block
    [InlineData(24u, 32u)]         // exactly 32
    [InlineData(25u, 48u)]         // 33 -> 48
    [InlineData(40u, 48u)]
    [InlineData(41u, 64u)]         // 49 -> 64
    [InlineData(100u, 112u)]       // 108 -> 112
    [InlineData(1000u, 1008u)]     // 1008 = 63 * 16
    [InlineData(4096u, 4112u)]     // 4104 -> 4112
    [InlineData(0x7FFF_0000u, 0x7FFF_0010u)]
    [InlineData(0x7FFF_0001u, 0u)]
    public void Block_size_for_a_request_at_granule_16(uint request, uint block)
    {
        Assert.Equal(block, HeapLayout.BlockSizeFor(request, HeapLayout.MallocGranule));
        Assert.Equal(block, FirstFitModel.BlockFor(request, FirstFitModel.MallocGranule));
    }

    [Theory]
    // granule -> where a segment's first block starts in its range, what the range loses, valid or not
    [InlineData(8u, 0u, 0u, true)]     // the kernel: blocks start on the range
    [InlineData(16u, 8u, 16u, true)]   // payloads on 16: the first block 8 in, the last 8 bytes unused
    [InlineData(32u, 24u, 32u, true)]
    [InlineData(4u, 0u, 0u, false)]    // below the header's own alignment
    [InlineData(24u, 0u, 0u, false)]   // not a power of two
    [InlineData(64u, 0u, 0u, false)]   // larger than the smallest block
    public void Segment_lead_and_overhead_of_a_granule(uint granule, uint lead, uint overhead, bool valid)
    {
        Assert.Equal(valid, HeapLayout.IsValidGranule(granule));
        if (!valid)
            return;
        Assert.Equal(lead, HeapLayout.SegmentLead(granule));
        Assert.Equal(overhead, HeapLayout.SegmentOverhead(granule));
    }

    [Theory]
    // segments in the table -> the least a growth asks for (1 MiB doubled for every 8 segments, at most 2 GiB)
    [InlineData(1u, 1u << 20)]     // the kernel's heaps: 1 MiB as always
    [InlineData(7u, 1u << 20)]
    [InlineData(8u, 2u << 20)]
    [InlineData(15u, 2u << 20)]
    [InlineData(16u, 4u << 20)]
    [InlineData(40u, 32u << 20)]
    [InlineData(88u, 2048u << 20)]
    [InlineData(95u, 2048u << 20)]
    public void Least_growth_by_segments_in_the_table(uint segments, uint least)
    {
        Assert.Equal(least, HeapLayout.LeastGrowth(segments));
        Assert.Equal(FirstFitModel.GrowthDoublingSegments, HeapLayout.GrowthDoublingSegments);
    }

    public const uint NoFit = uint.MaxValue;

    [Theory]
    // block start, block size, need, alignment -> leading fragment
    [InlineData(0x1008u, 64u, 32u, 16u, 0u)]            // payload 0x1010 is already 16-aligned
    [InlineData(0x1000u, 72u, 32u, 16u, 40u)]           // 0x1010 leaves 8, 0x1020 leaves 24: 0x1030 leaves 40
    [InlineData(0x1000u, 71u, 32u, 16u, NoFit)]         // 40 + 32 does not fit in 71
    [InlineData(0x1000u, 0x1018u, 32u, 4096u, 0xFF8u)]  // payload 0x2000
    [InlineData(0x0FF8u, 32u, 32u, 4096u, 0u)]          // payload 0x1000 at once
    [InlineData(0x1FE8u, 0x1030u, 32u, 4096u, 0x1010u)] // 0x2000 leaves 16: 0x3000 leaves 0x1010
    [InlineData(0x1FE8u, 0x102Fu, 32u, 4096u, NoFit)]
    [InlineData(0x1FD8u, 0x48u, 32u, 4096u, 0x20u)]     // 0x2000 leaves exactly 32: it stays a free block
    [InlineData(0x1000u, 0x100040u, 64u, 0x100000u, 0xFEFF8u)] // 1 MiB alignment: payload 0x100000
    [InlineData(0xFFFF_E000u, 0x1000u, 32u, 4096u, NoFit)]     // payload 0xFFFFF000, 0xFF8 + 32 > 0x1000
    [InlineData(0xFFFF_F000u, 0xFF0u, 32u, 4096u, NoFit)]      // the next 4 KiB boundary is 4 GiB itself
    public void Leading_fragment_of_an_aligned_placement(uint start, uint size, uint need, uint alignment, uint lead)
    {
        Assert.Equal(lead, HeapLayout.AlignedLead(start, size, need, alignment));
        Assert.Equal(lead == NoFit ? -1 : lead, FirstFitModel.LeadIn(start, size, need, alignment));
    }

    [Theory]
    [InlineData(32u, 16u, 72u)]
    [InlineData(32u, 4096u, 4152u)]
    [InlineData(1008u, 64u, 1096u)]
    [InlineData(0x7FFF_0008u, 0x8000_0000u, 0xFFFF_0020u)]
    [InlineData(0xFFFF_EFE0u, 4096u, 0xFFFF_FFF8u)] // the last that fits in 32 bits
    [InlineData(0xFFFF_EFE8u, 4096u, 0u)]           // 2^32: does not
    public void Size_that_always_takes_an_aligned_request(uint need, uint alignment, uint sure)
    {
        Assert.Equal(sure, HeapLayout.AlignedGuarantee(need, alignment));
        Assert.Equal(sure, FirstFitModel.SureFit(need, alignment));
    }

    [Theory]
    [InlineData(32u, 32u, 80u)]        // 32 + 32 + 32 - 16
    [InlineData(1008u, 64u, 1088u)]    // 1008 + 32 + 64 - 16
    [InlineData(48u, 4096u, 4160u)]
    public void Size_that_always_takes_an_aligned_request_at_granule_16(uint need, uint alignment, uint sure)
    {
        Assert.Equal(sure, HeapLayout.AlignedGuarantee(need, alignment, HeapLayout.MallocGranule));
        Assert.Equal(sure, FirstFitModel.SureFit(need, alignment, FirstFitModel.MallocGranule));
    }

    [Fact]
    public void Every_small_request_and_every_aligned_placement_agrees_with_the_model()
    {
        for (uint n = 0; n <= 20_000; n++)
        {
            Assert.True(HeapLayout.BlockSizeFor(n) == FirstFitModel.BlockFor(n), $"BlockSizeFor({n})");
            Assert.True(HeapLayout.BlockSizeFor(n, 16) == FirstFitModel.BlockFor(n, 16), $"BlockSizeFor({n}, 16)");
        }
        for (uint alignment = 16; alignment <= 8192; alignment <<= 1)
        {
            for (uint start = 0x10000; start < 0x10000 + 2 * alignment + 64; start += 8)
            {
                foreach (uint need in new uint[] { 32, 40, 112, 4104 })
                {
                    foreach (uint size in new uint[] { need, need + 24, need + 32, need + alignment - 8, need + alignment + 24, need + alignment + 32 })
                    {
                        long model = FirstFitModel.LeadIn(start, size, need, alignment);
                        uint heap = HeapLayout.AlignedLead(start, size, need, alignment);
                        Assert.True(model == (heap == NoFit ? -1 : heap),
                            $"AlignedLead(0x{start:X}, {size}, {need}, {alignment}): heap {heap}, model {model}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Layout_constants_are_the_documented_ones()
    {
        // docs/heap.md: 8-byte header, 8-byte payload alignment, smallest block and split threshold 32, a 1 KiB
        // control block, 96 segments, growth of at least 1 MiB in 4 KiB steps, requests up to 0x7FFF0000.
        Assert.Equal(FirstFitModel.Header, HeapLayout.HeaderSize);
        Assert.Equal(FirstFitModel.KernelGranule, HeapLayout.KernelGranule);
        Assert.Equal(FirstFitModel.MallocGranule, HeapLayout.MallocGranule);
        Assert.Equal(FirstFitModel.SmallestBlock, HeapLayout.MinBlock);
        Assert.Equal(FirstFitModel.SmallestRemainder, HeapLayout.SplitThreshold);
        Assert.Equal(FirstFitModel.ControlBlock, HeapLayout.ControlBlockSize);
        Assert.Equal(FirstFitModel.SegmentSlots, HeapLayout.MaxSegments);
        Assert.Equal(FirstFitModel.LeastGrowth, HeapLayout.GrowthStep);
        Assert.Equal(4096u, HeapLayout.GrowthGranule);
        Assert.Equal(FirstFitModel.LargestRequest, HeapLayout.MaxRequest);
        Assert.Equal((8u, 8u, 32u, 32u, 1024u, 96, 1u << 20, 0x7FFF_0000u),
            (FirstFitModel.Header, FirstFitModel.KernelGranule, FirstFitModel.SmallestBlock, FirstFitModel.SmallestRemainder,
             FirstFitModel.ControlBlock, FirstFitModel.SegmentSlots, FirstFitModel.LeastGrowth, FirstFitModel.LargestRequest));
    }
}
