using MioOS.Memory.Boot;
using MioOS.Memory.Physical;
using MioOS.Memory.Tests.Physical;
using MioOS.Memory.Virtual;
using static MioOS.Memory.Tests.Support.Machines;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>
/// <see cref="KernelSpaceLayout.CopyBootRanges"/>: only the PMM's boot-data ranges (what the loader wrote), in its
/// order; the count of all of them even when the span holds fewer.
/// </summary>
public class CopyBootRangesTests
{
    // 640 KiB of base memory and RAM from 1 MiB to 32 MiB; kernel at 1 MiB to 1.5 MiB, so the heap is [2 MiB, 5 MiB).
    private static HandBuiltPmm Pmm() => new(
        new KernelLayout(0x100000, 0x180000),
        [E(0, 0x9FC00), E(0x100000, 0x2000000 - 0x100000)],
        new ReservedRange(0x190000, 0x100, ReservedKind.InfoBlock),
        new ReservedRange(0x1E0000, 0x1000, ReservedKind.Module));

    [Fact]
    public void Only_the_boot_data_is_copied_not_the_kernel_heap_or_metadata()
    {
        using HandBuiltPmm m = Pmm();
        Assert.Equal(PmmInitStatus.Ok, m.Result.Status);
        ReservedRange[] into = new ReservedRange[8];
        Assert.Equal(2, KernelSpaceLayout.CopyBootRanges(m.Pmm, into));
        Assert.Equal((0x190000ul, 0x1000ul, ReservedKind.InfoBlock), (into[0].Base, into[0].Length, into[0].Kind));
        Assert.Equal((0x1E0000ul, 0x1000ul, ReservedKind.Module), (into[1].Base, into[1].Length, into[1].Kind));
        Assert.Equal(0ul, into[2].Length);
    }

    [Fact]
    public void A_span_too_small_gets_the_first_ones_and_the_count_says_how_many_there_are()
    {
        using HandBuiltPmm m = Pmm();
        ReservedRange[] into = new ReservedRange[1];
        Assert.Equal(2, KernelSpaceLayout.CopyBootRanges(m.Pmm, into));
        Assert.Equal(ReservedKind.InfoBlock, into[0].Kind);
        Assert.Equal(2, KernelSpaceLayout.CopyBootRanges(m.Pmm, [])); // none copied, still two there
    }
}
