using MioOS.Memory.Boot;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>
/// Identity maps at their edges: a best-fit range of exactly one aligned 4 MiB stretch, kernel ranges ending exactly
/// at the end of the kernel part (2 GiB) or empty, <c>EnablePaging</c>'s 4 KiB pages for the layout's ranges, and its
/// refusal when the CPU already has paging on.
/// </summary>
public class IdentityMapEdgeTests
{
    private const ulong KernelSpaceEnd = 0x80000000;

    private static VirtualAddress V(uint a) => new(a);

    private static PhysicalAddress P(ulong a) => new(a);

    [Fact]
    public void A_best_fit_range_of_exactly_one_aligned_4_MiB_stretch_is_one_4_MiB_page()
    {
        using VmmMachine m = VmmMachine.Booted();
        PagingCounts before = m.Vmm.Count();
        Assert.Equal(VmmStatus.Ok, m.Vmm.IdentityMapRegion(P(0x40000000), P(0x40400000), PageFlags.Writable, IdentityMapPolicy.BestFit));
        PageInfo info = m.Vmm.Query(V(0x403FF000));
        Assert.Equal(PageSize.Size4MiB, info.Size);
        Assert.Equal(0x403FF000ul, info.Physical.Value);
        PagingCounts after = m.Vmm.Count();
        Assert.Equal(before.Mapped4M + 1, after.Mapped4M);
        Assert.Equal(before.PageTables, after.PageTables);
    }

    [Fact]
    public void A_kernel_region_ending_exactly_at_2_GiB_is_mapped_and_one_byte_more_is_outside()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.OutsideKernelSpace, m.Vmm.IdentityMapKernelRegion(P(KernelSpaceEnd - 0x1000), P(KernelSpaceEnd + 1)));
        Assert.False(m.Vmm.IsMapped(V(0x7FFFF000)));
        Assert.Equal(VmmStatus.Ok, m.Vmm.IdentityMapKernelRegion(P(KernelSpaceEnd - 0x1000), P(KernelSpaceEnd)));
        Assert.Equal(0x7FFFF000ul, m.Vmm.Query(V(0x7FFFF000)).Physical.Value);
    }

    [Fact]
    public void An_empty_kernel_region_above_2_GiB_is_an_invalid_range_not_outside()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.InvalidRange, m.Vmm.IdentityMapKernelRegion(P(0x90000000), P(0x90000000)));
    }

    [Fact]
    public void A_boot_range_ending_exactly_at_2_GiB_is_mapped_read_only()
    {
        using VmmMachine m = new();
        ReservedRange[] boot = [new(KernelSpaceEnd - 0x1000, 0x1000, ReservedKind.Module)];
        Assert.Equal(VmmStatus.Ok, m.Vmm.EnablePaging(VmmMachine.Layout, boot));
        PageInfo info = m.Vmm.Query(V(0x7FFFF000));
        Assert.Equal(0x7FFFF000ul, info.Physical.Value);
        Assert.Equal(PageFlags.None, info.Flags & PageFlags.Writable);
    }

    [Fact]
    public void An_empty_layout_range_inside_a_frame_maps_nothing()
    {
        using VmmMachine m = new();
        KernelSpaceLayout layout = VmmMachine.Layout;
        layout.HeapStart = layout.HeapEnd = 0x600800; // no heap: empty, half way into frame 0x600000
        Assert.Equal(VmmStatus.Ok, m.Vmm.EnablePaging(layout));
        Assert.False(m.Vmm.IsMapped(V(0x600000)));
    }

    [Fact]
    public void The_layouts_ranges_get_4_KiB_pages_even_where_a_4_MiB_page_would_fit()
    {
        using VmmMachine m = new(); // a CPU with PSE
        KernelSpaceLayout layout = VmmMachine.Layout;
        layout.HeapStart = 0x400000; // a whole, aligned 4 MiB stretch
        layout.HeapEnd = 0x800000;
        layout.MetadataStart = layout.MetadataEnd = 0; // none
        Assert.Equal(VmmStatus.Ok, m.Vmm.EnablePaging(layout));
        Assert.Equal(PageSize.Size4KiB, m.Vmm.Query(V(0x400000)).Size);
        Assert.Equal(PageSize.Size4KiB, m.Vmm.Query(V(0x7FF000)).Size);
    }

    [Fact]
    public void EnablePaging_refuses_when_the_cpu_already_has_paging_on()
    {
        using VmmMachine m = new();
        // Paging turned on behind the VMM's back, with only the VMM's record mapped (so the VMM can still read it).
        ulong state = m.Vmm.StateAddress.Value;
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V((uint)state), P(state), PageFlags.Writable));
        m.Cpu.WriteCr3((uint)m.Vmm.KernelDirectory.Value);
        m.Cpu.WriteCr0(m.Cpu.Cr0 | ControlRegisters.Cr0Paging);
        int frames = m.Pool.Allocated.Count;
        Assert.Equal(VmmStatus.PagingAlreadyEnabled, m.Vmm.EnablePaging(VmmMachine.Layout));
        Assert.False(m.Vmm.IsPagingEnabled);
        Assert.Equal(frames, m.Pool.Allocated.Count);
    }
}
