using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>
/// No translation outlives the entry it came from (SDM vol. 3, 4.10.4: a changed or cleared entry needs an
/// <c>invlpg</c>): the two scratch pages map nothing between calls, and the recursive-window page of a directory slot
/// stops translating once the slot's table or 4 MiB page is gone. Each is asked of the simulated CPU, TLB first.
/// </summary>
public class StaleTranslationTests
{
    private const PageFlags Rw = PageFlags.Writable;

    // The scratch pages are the last two pages below the recursive window at 0xFFC00000.
    private const uint ScratchA = 0xFFBFE000, ScratchB = 0xFFBFF000;

    private static VirtualAddress V(uint a) => new(a);

    private static PhysicalAddress P(ulong a) => new(a);

    // The page of the recursive window that shows slot d's table: 0xFFC00000 + d * 4 KiB.
    private static uint Window(uint d) => 0xFFC00000u + d * 0x1000u;

    private static void AssertNoTranslation(VmmMachine m, uint linear) =>
        Assert.True(m.Cpu.Translate(linear, AccessKind.Read).IsFault, $"0x{linear:X8} still translates");

    [Fact]
    public void The_scratch_pages_map_nothing_after_a_space_is_made_from_the_kernel_space()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out _));
        AssertNoTranslation(m, ScratchA);
        AssertNoTranslation(m, ScratchB);
    }

    [Fact]
    public void The_scratch_pages_map_nothing_after_a_space_is_made_from_another_space()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out PhysicalAddress first));
        Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(first));
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out _)); // the kernel directory is read through a scratch page
        AssertNoTranslation(m, ScratchA);
        AssertNoTranslation(m, ScratchB);
    }

    [Fact]
    public void The_scratch_pages_map_nothing_after_a_kernel_table_is_written_into_another_space()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out _));
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x10000000), P(0x300000), Rw)); // a new table in kernel slot 64
        AssertNoTranslation(m, ScratchA);
        AssertNoTranslation(m, ScratchB);
    }

    [Fact]
    public void A_released_tables_window_page_no_longer_translates()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(V(0x40000000), P(0x300000), Rw)); // slot 256's table, written through its window page
        Assert.False(m.Cpu.Translate(Window(256), AccessKind.Read).IsFault);
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(V(0x40000000))); // its last page: the table goes back
        AssertNoTranslation(m, Window(256));
    }

    [Fact]
    public void A_freed_4_MiB_pages_window_page_no_longer_translates()
    {
        using VmmMachine m = VmmMachine.Booted();
        Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage4MiB(V(0x40000000), P(0xC00000), Rw));
        // Through the recursive entry, slot 256's window page is the 4 MiB page's first 4 KiB (the PDE read as a PTE).
        Translation t = m.Cpu.Translate(Window(256), AccessKind.Read);
        Assert.False(t.IsFault);
        Assert.Equal(0xC00000ul, t.Physical.Value);
        Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(V(0x40000000)));
        AssertNoTranslation(m, 0x40000000);
        AssertNoTranslation(m, Window(256));
    }
}
