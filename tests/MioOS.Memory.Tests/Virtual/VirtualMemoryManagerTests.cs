using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>The VMM on a simulated PC, in the checked mode: its own accesses go through the simulated MMU.</summary>
public class VirtualMemoryManagerTests
{
    private const PageFlags Rw = PageFlags.Writable;

    private static VirtualAddress V(uint a) => new(a);

    private static PhysicalAddress P(ulong a) => new(a);

    [Fact]
    public void Create_takes_three_frames_and_points_the_last_directory_entry_at_the_directory()
    {
        using VmmMachine m = new();
        Assert.Equal(3, m.Pool.Allocated.Count);
        ulong dir = m.Vmm.KernelDirectory.Value;
        Assert.Equal((uint)dir | 0x3u, m.Pde(1023));
        Assert.False(m.Vmm.IsPagingEnabled);
    }

    [Fact]
    public void EnablePaging_sets_pg_wp_pse_pge_loads_cr3_and_keeps_the_other_bits()
    {
        using VmmMachine m = new(CpuModel.Qemu32);
        const uint osfxsr = 1u << 9, ne = 1u << 5, tsd = 1u << 2;
        m.Cpu.WriteCr4(osfxsr | tsd);
        m.Cpu.WriteCr0(m.Cpu.Cr0 | ne);
        uint cr0 = m.Cpu.Cr0;
        Assert.Equal(VmmStatus.Ok, m.Vmm.EnablePaging(VmmMachine.Layout));
        Assert.Equal(cr0 | ControlRegisters.Cr0Paging | ControlRegisters.Cr0WriteProtect, m.Cpu.Cr0);
        Assert.Equal(osfxsr | tsd | ControlRegisters.Cr4PageSizeExtensions | ControlRegisters.Cr4PageGlobalEnable, m.Cpu.Cr4); // the seed overwrote CR4
        Assert.Equal((uint)m.Vmm.KernelDirectory.Value, m.Cpu.Cr3);
        Assert.True(m.Vmm.IsPagingEnabled);
        Assert.Equal(VmmStatus.PagingAlreadyEnabled, m.Vmm.EnablePaging(VmmMachine.Layout));
    }

    [Fact]
    public void EnablePaging_without_frames_for_tables_leaves_paging_off_and_can_be_retried()
    {
        using VmmMachine m = new();
        m.Pool.Budget = 1; // the first table, not the one the heap needs
        uint cr0 = m.Cpu.Cr0, cr4 = m.Cpu.Cr4;
        Assert.Equal(VmmStatus.NoFrame, m.Vmm.EnablePaging(VmmMachine.Layout));
        Assert.False(m.Vmm.IsPagingEnabled);
        Assert.Equal(cr0, m.Cpu.Cr0);
        Assert.Equal(cr4, m.Cpu.Cr4);
        m.Pool.Budget = null;
        Assert.Equal(VmmStatus.Ok, m.Vmm.EnablePaging(VmmMachine.Layout));
        Assert.Equal((ulong)VmmMachine.HeapEnd - 4, m.Cpu.Translate((uint)VmmMachine.HeapEnd - 4, AccessKind.Write).Physical.Value);
    }

    [Fact]
    public void EnablePaging_without_pse_leaves_cr4_pse_clear_and_refuses_large_pages()
    {
        using VmmMachine m = new(CpuModel.NoPse);
        Assert.Equal(VmmStatus.Ok, m.Vmm.EnablePaging(VmmMachine.Layout));
        Assert.Equal(0u, m.Cpu.Cr4 & ControlRegisters.Cr4PageSizeExtensions);
        Assert.Equal(VmmStatus.LargePagesNotSupported, m.Vmm.AllocPage4MiB(V(0x40000000), P(0x40000000), Rw));
    }

    [Theory]
    [InlineData(0x1000UL)] // the first page past the NULL guard
    [InlineData(0xB8000UL)] // VGA text buffer
    [InlineData(0xFFFFFUL)]
    [InlineData(VmmMachine.KernelStart)]
    [InlineData(VmmMachine.KernelEnd - 1)]
    [InlineData(VmmMachine.HeapStart)]
    [InlineData(VmmMachine.HeapEnd - 1)]
    [InlineData(VmmMachine.MetadataEnd - 4)]
    public void EnablePaging_identity_maps_the_kernel_space(ulong address)
    {
        using VmmMachine m = VmmMachine.Booted();
        Translation t = m.Cpu.Translate((uint)address, AccessKind.Write);
        Assert.False(t.IsFault);
        Assert.Equal(address, t.Physical.Value);
    }

    [Fact]
    public void EnablePaging_maps_nothing_past_the_kernel_ranges()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.True(m.Cpu.Translate(0, AccessKind.Read).IsFault); // the NULL guard
        Assert.True(m.Cpu.Translate((uint)VmmMachine.KernelEnd, AccessKind.Read).IsFault);
        Assert.True(m.Cpu.Translate((uint)VmmMachine.MetadataEnd, AccessKind.Read).IsFault);
        Assert.True(m.Cpu.Translate(0x180000 + 0x1000 * 10, AccessKind.Read).IsFault);
    }

    [Fact]
    public void Tables_are_reached_through_the_recursive_entry_after_paging()
    {
        using VmmMachine m = VmmMachine.Booted();
        Translation dir = m.Cpu.Translate(PagingLayout.DirectoryWindow, AccessKind.Read);
        Assert.Equal(m.Vmm.KernelDirectory.Value, dir.Physical.Value);
        Assert.True(m.Cpu.Translate(PagingLayout.DirectoryWindow, AccessKind.Read, user: true).IsFault); // supervisor only
        uint table0 = m.Pde(0) & 0xFFFFF000;
        Assert.Equal((ulong)table0, m.Cpu.Translate(PagingLayout.TablesBase, AccessKind.Read).Physical.Value);
    }

    [Fact]
    public void A_new_table_after_paging_is_zeroed_so_no_stray_entry_shows()
    {
        using VmmMachine m = VmmMachine.Booted();
        long before = m.Checked.Accesses;
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40000000), P(0x123000), Rw));
        Assert.True(m.Checked.Accesses > before);
        Assert.Equal(0x123000UL, m.Cpu.Translate(0x40000000, AccessKind.Read).Physical.Value);
        // The pool frames were full of 0xDEADBEEF: a zeroed table has no stray present entries.
        for (uint t = 1; t < 1024; t++)
            Assert.True(m.Cpu.Translate(0x40000000 + t * 4096, AccessKind.Read).IsFault);
    }

    [Fact]
    public void Checked_mode_fails_when_the_vmm_cannot_reach_its_tables()
    {
        using VmmMachine m = VmmMachine.Booted();
        // Break the recursive entry behind the VMM's back: on the metal its next table access would fault.
        m.WritePhysical(m.Vmm.KernelDirectory.Value + 1023 * 4, 0);
        m.Cpu.Tlb.FlushAll();
        Assert.Throws<PageFaultException>(() => m.Vmm.AllocPage(V(0x40000000), P(0x123000), Rw));
    }

    [Fact]
    public void Flags_are_written_and_reported_as_effective_flags()
    {
        using VmmMachine m = VmmMachine.Booted();
        PageFlags f = PageFlags.Writable | PageFlags.User | PageFlags.CacheDisable | PageFlags.Global | PageFlags.Pat;
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40001000), P(0x300000), f));
        Assert.Equal(0x300000u | (uint)f | 1u, m.Pte(0x40001000));
        PageInfo info = m.Vmm.Query(V(0x40001ABC));
        Assert.Equal(PageSize.Size4KiB, info.Size);
        Assert.Equal(0x300ABCUL, info.Physical.Value);
        Assert.Equal(f | PageFlags.Present, info.Flags);
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage4MiB(V(0x80000000), P(0x1000000), PageFlags.Pat | PageFlags.WriteThrough));
        Assert.Equal(0x1000000u | (1u << 12) | 0x80u | 0x8u | 0x1u, m.Pde(0x200));
        PageInfo large = m.Vmm.Query(V(0x80123456));
        Assert.Equal(PageSize.Size4MiB, large.Size);
        Assert.Equal(0x1123456UL, large.Physical.Value);
        Assert.Equal(PageFlags.Present | PageFlags.Pat | PageFlags.WriteThrough, large.Flags);
    }

    [Fact]
    public void Mapping_failures_are_results_and_change_nothing()
    {
        using VmmMachine m = VmmMachine.Booted(CpuModel.Qemu32);
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40000000), P(0x300000), Rw));
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage4MiB(V(0x80000000), P(0x1000000), Rw));
        var snap = m.Snapshot();
        Assert.Equal(VmmStatus.Misaligned, m.Vmm.AllocPage(V(0x40000800), P(0x300000), Rw));
        Assert.Equal(VmmStatus.Misaligned, m.Vmm.AllocPage(V(0x40002000), P(0x300010), Rw));
        Assert.Equal(VmmStatus.AlreadyMapped, m.Vmm.AllocPage(V(0x40000000), P(0x400000), Rw));
        Assert.Equal(VmmStatus.InsideLargePage, m.Vmm.AllocPage(V(0x80001000), P(0x400000), Rw));
        Assert.Equal(VmmStatus.PageTableInPlace, m.Vmm.AllocPage4MiB(V(0x40000000), P(0x400000), Rw));
        Assert.Equal(VmmStatus.AlreadyMapped, m.Vmm.AllocPage4MiB(V(0x80000000), P(0x400000), Rw));
        Assert.Equal(VmmStatus.Misaligned, m.Vmm.AllocPage4MiB(V(0x80100000), P(0x400000), Rw));
        Assert.Equal(VmmStatus.Misaligned, m.Vmm.AllocPage4MiB(V(0x90000000), P(0x401000), Rw));
        Assert.Equal(VmmStatus.PhysicalAddressTooHigh, m.Vmm.AllocPage(V(0x40003000), P(0x1_0000_0000), Rw));
        Assert.Equal(VmmStatus.PhysicalAddressTooHigh, m.Vmm.AllocPage4MiB(V(0x90000000), P(0x1_0000_0000), Rw)); // no PSE-36
        Assert.Equal(VmmStatus.ReservedRange, m.Vmm.AllocPage(V(0xFFC00000), P(0x300000), Rw));
        Assert.Equal(VmmStatus.ReservedRange, m.Vmm.AllocPage(V(PagingLayout.ScratchPageA), P(0x300000), Rw));
        Assert.Equal(VmmStatus.ReservedRange, m.Vmm.AllocPage4MiB(V(0xFF800000), P(0x400000), Rw));
        Assert.Equal(VmmStatus.ReservedRange, m.Vmm.AllocPage(V(0xFF800000), P(0x300000), Rw)); // the shared scratch table's slot
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage4MiB(V(0xFF400000), P(0x400000), Rw)); // just below the VMM's 8 MiB
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(V(0xFF400000)));
        Assert.Equal(VmmStatus.NotMapped, m.Vmm.FreePage(V(0x40001000)));
        Assert.Equal(VmmStatus.NotMapped, m.Vmm.FreePage(V(0x50000000)));
        Assert.Equal(VmmStatus.Misaligned, m.Vmm.FreePage(V(0x80001000))); // inside a 4 MiB page
        Assert.Equal(VmmStatus.ReservedRange, m.Vmm.FreePage(V(0xFFFFF000)));
        Assert.Equal(snap, m.Snapshot());
    }

    [Theory]
    [InlineData("max-36", 0x1_0000_0000UL, VmmStatus.Ok)]
    [InlineData("max-36", 0xF_FFC0_0000UL, VmmStatus.Ok)]
    [InlineData("max-36", 0x10_0000_0000UL, VmmStatus.PhysicalAddressTooHigh)] // 64 GiB = 2^36
    [InlineData("max-40", 0x10_0000_0000UL, VmmStatus.Ok)]
    [InlineData("max-40", 0xFF_FFC0_0000UL, VmmStatus.Ok)]
    [InlineData("max-40", 0x100_0000_0000UL, VmmStatus.PhysicalAddressTooHigh)]
    [InlineData("qemu32", 0x1_0000_0000UL, VmmStatus.PhysicalAddressTooHigh)]
    public void High_memory_maps_with_pse36_up_to_2_to_the_m(string model, ulong physical, VmmStatus expected)
    {
        CpuModel cpu = model switch { "max-36" => CpuModel.Max36, "max-40" => CpuModel.Max40, _ => CpuModel.Qemu32 };
        using VmmMachine m = VmmMachine.Booted(cpu);
        Assert.Equal(expected, m.Vmm.AllocPage4MiB(V(0xC0000000), P(physical), Rw));
        if (expected != VmmStatus.Ok)
            return;
        Translation t = m.Cpu.Translate(0xC0012345, AccessKind.Write);
        Assert.False(t.IsFault);
        Assert.Equal(physical + 0x12345, t.Physical.Value);
        Assert.Equal(VmmStatus.Ok, m.Vmm.VirtualToPhysical(V(0xC0012345), out PhysicalAddress phys));
        Assert.Equal(physical + 0x12345, phys.Value);
    }

    [Fact]
    public void Running_out_of_frames_for_a_table_is_a_result_and_changes_nothing()
    {
        using VmmMachine m = VmmMachine.Booted();
        var snap = m.Snapshot();
        int allocated = m.Pool.Allocated.Count;
        m.Pool.Budget = 0;
        Assert.Equal(VmmStatus.NoFrame, m.Vmm.AllocPage(V(0x40000000), P(0x300000), Rw));
        Assert.Equal(VmmStatus.NoFrame, m.Vmm.IdentityMapRegion(P(0x3000000), P(0x3001000), Rw, IdentityMapPolicy.Small));
        Assert.Equal(VmmStatus.NoFrame, m.Vmm.CreateAddressSpace(out _));
        m.Pool.Budget = 1; // enough for the first table of the range, not the second
        Assert.Equal(VmmStatus.NoFrame, m.Vmm.IdentityMapRegion(P(0x03F00000), P(0x04100000), Rw, IdentityMapPolicy.Small));
        Assert.Equal(snap, m.Snapshot());
        Assert.Equal(allocated, m.Pool.Allocated.Count);
        Assert.True(m.Cpu.Translate(0x03F00000, AccessKind.Read).IsFault);
    }

    [Theory]
    [InlineData(0x3000000UL, 0x3000001UL, 1)]
    [InlineData(0x3000000UL, 0x3001000UL, 1)] // the end is exclusive: the seed mapped one page too many
    [InlineData(0x3000000UL, 0x3001001UL, 2)]
    [InlineData(0x3000FFFUL, 0x3001001UL, 2)]
    public void Identity_map_covers_start_to_end_rounded_out_and_no_more(ulong start, ulong end, int pages)
    {
        using VmmMachine m = VmmMachine.Booted();
        uint before = m.Vmm.Count().Mapped4K;
        Assert.Equal(VmmStatus.Ok, m.Vmm.IdentityMapRegion(P(start), P(end), Rw, IdentityMapPolicy.Small));
        Assert.Equal(before + (uint)pages, m.Vmm.Count().Mapped4K);
        ulong first = start & ~0xFFFUL;
        for (int i = 0; i < pages; i++)
            Assert.Equal(first + (ulong)i * 4096, m.Cpu.Translate((uint)(first + (ulong)i * 4096), AccessKind.Read).Physical.Value);
        Assert.True(m.Cpu.Translate((uint)(first + (ulong)pages * 4096), AccessKind.Read).IsFault);
    }

    [Fact]
    public void Identity_map_best_fit_uses_large_pages_for_aligned_stretches()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.IdentityMapRegion(P(0x03FFF000), P(0x0C001000), Rw, IdentityMapPolicy.BestFit));
        Assert.Equal(PageSize.Size4KiB, m.Vmm.Query(V(0x03FFF000)).Size);
        Assert.Equal(PageSize.Size4MiB, m.Vmm.Query(V(0x04000000)).Size);
        Assert.Equal(PageSize.Size4MiB, m.Vmm.Query(V(0x0BFFFFFF)).Size);
        Assert.Equal(PageSize.Size4KiB, m.Vmm.Query(V(0x0C000000)).Size);
        Assert.False(m.Vmm.IsMapped(V(0x0C001000)));
        Assert.Equal(0x0A123456UL, m.Cpu.Translate(0x0A123456, AccessKind.Read).Physical.Value);
        Assert.Equal(VmmStatus.Ok, m.Vmm.UnmapRegion(P(0x03FFF000), P(0x0C001000)));
        Assert.False(m.Vmm.IsMapped(V(0x04000000)));
        Assert.True(m.Cpu.Translate(0x0A123456, AccessKind.Read).IsFault);
    }

    [Fact]
    public void Identity_map_over_a_mapped_page_fails_and_changes_nothing()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x03005000), P(0x9000), Rw));
        var snap = m.Snapshot();
        Assert.Equal(VmmStatus.AlreadyMapped, m.Vmm.IdentityMapRegion(P(0x03000000), P(0x03010000), Rw, IdentityMapPolicy.Small));
        Assert.Equal(VmmStatus.InvalidRange, m.Vmm.IdentityMapRegion(P(0x5000), P(0x4000), Rw, IdentityMapPolicy.Small));
        Assert.Equal(VmmStatus.InvalidRange, m.Vmm.IdentityMapRegion(P(0xFFFF0000), P(0x1_0000_1000), Rw, IdentityMapPolicy.Small));
        // Empty, aligned or not: nothing asked for, nothing mapped (rounding out must not make it a page).
        Assert.Equal(VmmStatus.InvalidRange, m.Vmm.IdentityMapRegion(P(0x03020000), P(0x03020000), Rw, IdentityMapPolicy.Small));
        Assert.Equal(VmmStatus.InvalidRange, m.Vmm.IdentityMapRegion(P(0x03020010), P(0x03020010), Rw, IdentityMapPolicy.Small));
        Assert.False(m.Vmm.IsMapped(new VirtualAddress(0x03020000)));
        Assert.Equal(snap, m.Snapshot());
    }

    [Fact]
    public void Freeing_the_last_page_of_a_table_returns_the_table_and_invalidates()
    {
        using VmmMachine m = VmmMachine.Booted();
        int frames = m.Pool.Allocated.Count;
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40000000), P(0x300000), Rw));
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40001000), P(0x301000), Rw));
        Assert.Equal(frames + 1, m.Pool.Allocated.Count);
        m.Cpu.Translate(0x40000000, AccessKind.Read); // cached
        long invlpg = m.Cpu.InvalidatePageCount;
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(V(0x40000000)));
        Assert.True(m.Cpu.InvalidatePageCount > invlpg);
        Assert.True(m.Cpu.Translate(0x40000000, AccessKind.Read).IsFault); // the cached translation was dropped
        Assert.Equal(frames + 1, m.Pool.Allocated.Count);
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(V(0x40001000)));
        Assert.Equal(frames, m.Pool.Allocated.Count);
        Assert.Equal(0u, m.Pde(0x100));
    }

    [Fact]
    public void Freeing_a_large_page_clears_the_pde_and_frees_no_table()
    {
        using VmmMachine m = VmmMachine.Booted();
        int frames = m.Pool.Allocated.Count;
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage4MiB(V(0x80000000), P(0x400000), Rw));
        m.Cpu.Translate(0x80300000, AccessKind.Read);
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(V(0x80000000)));
        Assert.Equal(frames, m.Pool.Allocated.Count); // the seed freed "a table" at the page's physical address
        Assert.True(m.Cpu.Translate(0x80300000, AccessKind.Read).IsFault);
        Assert.False(m.Vmm.IsMapped(V(0x80000000)));
    }

    [Fact]
    public void Is_mapped_reads_large_entries_as_pages()
    {
        using VmmMachine m = VmmMachine.Booted();
        // A 4 MiB page whose physical address, read as a table, would point at RAM full of garbage.
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage4MiB(V(0x80000000), P(0x800000), Rw));
        for (uint off = 0; off < 0x400000; off += 0x100000)
            Assert.True(m.Vmm.IsMapped(V(0x80000000 + off)));
        Assert.Equal(0x800000UL + 0x3FF000, m.Vmm.Query(V(0x803FF000)).Physical.Value);
    }

    [Fact]
    public void A_missing_invlpg_would_be_caught()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40000000), P(0x300000), Rw));
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40001000), P(0x301000), Rw));
        m.WritePhysical(0x300000, 0x11111111);
        m.WritePhysical(0x400000, 0x22222222);
        Assert.Equal(0x11111111u, m.Checked.Window.Read<uint>(0x40000000));
        // What a VMM that forgot invlpg would do: change the PTE in memory only.
        m.WritePhysical(m.Pde(0x100) & 0xFFFFF000, 0x400000 | 0x3);
        Assert.Equal(0x11111111u, m.Checked.Window.Read<uint>(0x40000000)); // stale: the test sees the old frame
        // The VMM's own remap goes through FreePage (invlpg) and AllocPage: the new frame is seen.
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(V(0x40000000)));
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40000000), P(0x400000), Rw));
        Assert.Equal(0x22222222u, m.Checked.Window.Read<uint>(0x40000000));
    }

    [Fact]
    public void Address_spaces_share_kernel_tables_and_free_their_private_ones()
    {
        using VmmMachine m = VmmMachine.Booted();
        int frames = m.Pool.Allocated.Count;
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40000000), P(0x300000), Rw)); // kernel table in slot 0x100
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out PhysicalAddress space));
        Assert.Equal(frames + 2, m.Pool.Allocated.Count);
        Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(space));
        Assert.Equal((uint)space.Value, m.Cpu.Cr3);
        Assert.Equal(0x300000UL, m.Cpu.Translate(0x40000000, AccessKind.Read).Physical.Value); // shared
        Assert.Equal((ulong)VmmMachine.HeapStart, m.Cpu.Translate((uint)VmmMachine.HeapStart, AccessKind.Write).Physical.Value);
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x90000000), P(0x310000), Rw | PageFlags.User)); // private table (user part)
        Assert.Equal(frames + 3, m.Pool.Allocated.Count);
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40002000), P(0x320000), Rw)); // into the shared kernel table
        Assert.Equal(VmmStatus.AddressSpaceInUse, m.Vmm.DestroyAddressSpace(space));
        Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(m.Vmm.KernelDirectory));
        Assert.True(m.Cpu.Translate(0x90000000, AccessKind.Read).IsFault); // private stays private
        Assert.Equal(0x320000UL, m.Cpu.Translate(0x40002000, AccessKind.Read).Physical.Value); // shared table
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(V(0x40000000)));
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(V(0x40002000)));
        // An empty kernel table goes back, and its removal reaches the other space too.
        Assert.Equal(0u, m.Pde(0x100) & 1);
        Assert.Equal(0u, m.ReadPhysical(space.Value + 0x100 * 4));
        Assert.Equal(frames + 2, m.Pool.Allocated.Count);
        Assert.Equal(VmmStatus.AddressSpaceInUse, m.Vmm.DestroyAddressSpace(m.Vmm.KernelDirectory));
        Assert.Equal(VmmStatus.InvalidAddressSpace, m.Vmm.SwitchAddressSpace(P(0x300000)));
        Assert.Equal(VmmStatus.Ok, m.Vmm.DestroyAddressSpace(space));
        Assert.Equal(VmmStatus.InvalidAddressSpace, m.Vmm.SwitchAddressSpace(space));
        Assert.Equal(frames, m.Pool.Allocated.Count);
    }

    [Fact]
    public void Pages_of_the_state_and_directory_are_supervisor_only()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.True(m.Cpu.Translate((uint)m.Vmm.StateAddress.Value, AccessKind.Read, user: true).IsFault);
        Assert.True(m.Cpu.Translate((uint)m.Vmm.KernelDirectory.Value, AccessKind.Read, user: true).IsFault);
        Assert.False(m.Cpu.Translate((uint)m.Vmm.StateAddress.Value, AccessKind.Write).IsFault);
    }

    [Fact]
    public void Count_reports_tables_and_pages()
    {
        using VmmMachine m = VmmMachine.Booted();
        PagingCounts c = m.Vmm.Count();
        // 1 MiB less page 0 + kernel 0.5 MiB + heap 3 MiB + metadata 64 KiB + 3 VMM frames, all in slot 0 and 2 and
        // the scratch table.
        Assert.Equal((uint)((0x100000 - 0x1000 + 0x80000 + 0x300000 + 0x10000) / 4096 + 3), c.Mapped4K);
        Assert.Equal(0u, c.Mapped4M);
        Assert.Equal(m.Pool.Allocated.Count - 2, (int)c.PageTables); // every frame but the record and the directory is a table
    }
}
