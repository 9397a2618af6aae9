using System;
using System.Runtime.InteropServices;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Hosting;

/// <summary>The hosted MMU on hand-built tables: walks, faults and error codes, A/D, and the TLB.</summary>
public sealed unsafe class SimulatedCpuTests : IDisposable
{
    private const uint Directory = 0x10000;
    private const uint Table = 0x11000;
    private const ulong RamSize = 1 << 20;
    private readonly byte* _ram = (byte*)NativeMemory.AllocZeroed((nuint)RamSize);

    public void Dispose() => NativeMemory.Free(_ram);

    private uint this[ulong address]
    {
        get => *(uint*)(_ram + address);
        set => *(uint*)(_ram + address) = value;
    }

    /// <summary>A CPU with paging on: directory at 0x10000, PSE on, WP on; slot 0 -> table at 0x11000.</summary>
    private SimulatedCpu Cpu(CpuModel model, uint cr4 = ControlRegisters.Cr4PageSizeExtensions)
    {
        SimulatedCpu cpu = new(_ram, RamSize, model);
        this[Directory] = Table | 0x7;
        cpu.WriteCr4(cr4);
        cpu.WriteCr3(Directory);
        cpu.WriteCr0(cpu.Cr0 | ControlRegisters.Cr0Paging | ControlRegisters.Cr0WriteProtect);
        return cpu;
    }

    private void MapSmall(uint virt, uint phys, uint flags) => this[Table + ((virt >> 12) & 0x3FF) * 4] = phys | flags;

    [Fact]
    public void Paging_off_translates_identically()
    {
        SimulatedCpu cpu = new(_ram, RamSize, CpuModel.Qemu32);
        Translation t = cpu.Translate(0x12345678, AccessKind.Write);
        Assert.False(t.IsFault);
        Assert.Equal(0x12345678UL, t.Physical.Value);
    }

    [Fact]
    public void Small_page_translates_with_offset_and_sets_accessed_then_dirty()
    {
        SimulatedCpu cpu = Cpu(CpuModel.Qemu32);
        MapSmall(0x5000, 0x42000, 0x3);
        Translation t = cpu.Translate(0x5ABC, AccessKind.Read);
        Assert.Equal(0x42ABCUL, t.Physical.Value);
        Assert.Equal(PageSize.Size4KiB, t.Size);
        Assert.Equal(0x42000u | 0x3u | 0x20u, this[Table + 5 * 4]); // A set, D not
        Assert.NotEqual(0u, this[Directory] & 0x20u); // A set in the PDE too
        cpu.Translate(0x5000, AccessKind.Write);
        Assert.Equal(0x42000u | 0x3u | 0x60u, this[Table + 5 * 4]); // write through a cached clean entry re-walks and sets D
    }

    [Fact]
    public void Not_present_faults_with_p_clear_and_cr2_set()
    {
        SimulatedCpu cpu = Cpu(CpuModel.Qemu32);
        Translation t = cpu.Translate(0x7004, AccessKind.Write);
        Assert.True(t.IsFault);
        Assert.Equal(new PageFault(0x7004, PageFaultErrorCode.Write), t.Fault);
        Assert.Equal(0x7004u, cpu.Cr2);
        Translation pdeMissing = cpu.Translate(0x40000000, AccessKind.Read, user: true);
        Assert.Equal(PageFaultErrorCode.User, pdeMissing.Fault.ErrorCode);
    }

    [Fact]
    public void Supervisor_write_to_read_only_faults_only_with_wp()
    {
        SimulatedCpu cpu = Cpu(CpuModel.Qemu32);
        MapSmall(0x3000, 0x30000, 0x1);
        Translation t = cpu.Translate(0x3000, AccessKind.Write);
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.Write, t.Fault.ErrorCode);
        cpu.WriteCr0(cpu.Cr0 & ~ControlRegisters.Cr0WriteProtect);
        Assert.False(cpu.Translate(0x3000, AccessKind.Write).IsFault);
    }

    [Fact]
    public void User_access_needs_user_at_both_levels_and_writable_regardless_of_wp()
    {
        SimulatedCpu cpu = Cpu(CpuModel.Qemu32);
        MapSmall(0x1000, 0x20000, 0x3); // supervisor page
        MapSmall(0x2000, 0x21000, 0x5); // user read-only
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.User, cpu.Translate(0x1000, AccessKind.Read, user: true).Fault.ErrorCode);
        Assert.False(cpu.Translate(0x2000, AccessKind.Read, user: true).IsFault);
        cpu.WriteCr0(cpu.Cr0 & ~ControlRegisters.Cr0WriteProtect);
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.Write | PageFaultErrorCode.User,
            cpu.Translate(0x2000, AccessKind.Write, user: true).Fault.ErrorCode);
        this[Directory] = Table | 0x3; // PDE supervisor-only: the PTE's U/S no longer helps
        cpu.WriteCr3(Directory);
        Assert.True(cpu.Translate(0x2000, AccessKind.Read, user: true).IsFault);
    }

    [Fact]
    public void Instruction_fetch_sets_id_only_with_smep()
    {
        SimulatedCpu cpu = Cpu(CpuModel.Qemu32);
        Assert.Equal(PageFaultErrorCode.None, cpu.Translate(0x9000, AccessKind.Execute).Fault.ErrorCode);
        cpu.WriteCr4(cpu.Cr4 | ControlRegisters.Cr4Smep);
        Assert.Equal(PageFaultErrorCode.InstructionFetch, cpu.Translate(0x9000, AccessKind.Execute).Fault.ErrorCode);
        MapSmall(0x8000, 0x28000, 0x7); // user page: supervisor fetch faults under SMEP
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.InstructionFetch, cpu.Translate(0x8000, AccessKind.Execute).Fault.ErrorCode);
    }

    [Fact]
    public void Large_page_translates_and_sets_dirty_in_the_pde()
    {
        SimulatedCpu cpu = Cpu(CpuModel.Qemu32);
        this[Directory + 2 * 4] = 0x01400000u | 0x83u;
        Translation t = cpu.Translate(0x00812345, AccessKind.Write);
        Assert.Equal(0x01412345UL, t.Physical.Value);
        Assert.Equal(PageSize.Size4MiB, t.Size);
        Assert.Equal(0x01400000u | 0x83u | 0x60u, this[Directory + 2 * 4]);
    }

    [Fact]
    public void Ps_is_ignored_without_cr4_pse()
    {
        SimulatedCpu cpu = Cpu(CpuModel.Qemu32, cr4: 0);
        this[Directory + 2 * 4] = Table | 0x83u; // read as a table reference
        MapSmall(0x00800000, 0x33000, 0x3);
        Translation t = cpu.Translate(0x00800010, AccessKind.Read);
        Assert.Equal(PageSize.Size4KiB, t.Size);
        Assert.Equal(0x33010UL, t.Physical.Value);
    }

    [Theory]
    [InlineData(36, 0x1_0040_0000UL, (1u << 13) | 0x00400000u)]
    [InlineData(36, 0xF_FFC0_0000UL, (0xFu << 13) | 0xFFC00000u)]
    [InlineData(40, 0xAB_0000_0000UL, (0xABu << 13))]
    public void Pse36_entries_reach_high_physical_memory(byte maxPhys, ulong physical, uint pde)
    {
        SimulatedCpu cpu = Cpu(CpuModel.Max36 with { MaxPhysicalAddressBits = maxPhys });
        this[Directory + 3 * 4] = pde | 0x83u;
        Translation t = cpu.Translate(0x00C00123, AccessKind.Read);
        Assert.False(t.IsFault);
        Assert.Equal(physical + 0x123, t.Physical.Value);
    }

    [Theory]
    [InlineData("qemu32", 13)] // no PSE-36: bits 21:13 all reserved
    [InlineData("qemu32", 21)]
    [InlineData("max-36", 17)] // M = 36: bits 21:17 reserved
    [InlineData("max-36", 21)]
    [InlineData("max-40", 21)] // M = 40: bit 21 reserved
    public void Reserved_bit_in_a_large_pde_faults_with_rsvd(string model, int bit)
    {
        CpuModel m = model switch { "qemu32" => CpuModel.Qemu32, "max-36" => CpuModel.Max36, _ => CpuModel.Max40 };
        SimulatedCpu cpu = Cpu(m);
        this[Directory + 3 * 4] = 0x00400000u | (1u << bit) | 0x83u;
        Translation t = cpu.Translate(0x00C00000, AccessKind.Write);
        Assert.True(t.IsFault);
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.Write | PageFaultErrorCode.ReservedBit, t.Fault.ErrorCode);
    }

    [Theory]
    [InlineData("max-36", 16)]
    [InlineData("max-40", 20)]
    public void Highest_pse36_address_bit_is_not_reserved(string model, int bit)
    {
        SimulatedCpu cpu = Cpu(model == "max-36" ? CpuModel.Max36 : CpuModel.Max40);
        this[Directory + 3 * 4] = (1u << bit) | 0x83u;
        Assert.False(cpu.Translate(0x00C00000, AccessKind.Read).IsFault);
    }

    [Fact]
    public void A_missing_invlpg_reads_the_stale_translation()
    {
        SimulatedCpu cpu = Cpu(CpuModel.Qemu32);
        MapSmall(0x4000, 0x40000, 0x3);
        Assert.Equal(0x40000UL, cpu.Translate(0x4000, AccessKind.Read).Physical.Value);
        MapSmall(0x4000, 0x50000, 0x3); // changed in memory, TLB not told
        Translation stale = cpu.Translate(0x4000, AccessKind.Read);
        Assert.True(stale.FromTlb);
        Assert.Equal(0x40000UL, stale.Physical.Value);
        this[Table + 4 * 4] = 0; // unmapped, still not told: still translates
        Assert.False(cpu.Translate(0x4000, AccessKind.Read).IsFault);
        cpu.InvalidatePage(0x4123);
        Assert.True(cpu.Translate(0x4000, AccessKind.Read).IsFault);
    }

    [Fact]
    public void Invlpg_anywhere_in_a_large_page_drops_it()
    {
        SimulatedCpu cpu = Cpu(CpuModel.Qemu32);
        this[Directory + 2 * 4] = 0x01400000u | 0x83u;
        cpu.Translate(0x00800000, AccessKind.Read);
        this[Directory + 2 * 4] = 0;
        Assert.False(cpu.Translate(0x00A00000, AccessKind.Read).IsFault); // stale 4 MiB translation
        cpu.InvalidatePage(0x00BFF000);
        Assert.True(cpu.Translate(0x00800000, AccessKind.Read).IsFault);
    }

    [Fact]
    public void Cr3_load_drops_non_global_but_keeps_global_with_pge()
    {
        SimulatedCpu cpu = Cpu(CpuModel.Qemu32, ControlRegisters.Cr4PageSizeExtensions | ControlRegisters.Cr4PageGlobalEnable);
        MapSmall(0x1000, 0x21000, 0x3 | 0x100); // global
        MapSmall(0x2000, 0x22000, 0x3);
        cpu.Translate(0x1000, AccessKind.Read);
        cpu.Translate(0x2000, AccessKind.Read);
        MapSmall(0x1000, 0, 0);
        MapSmall(0x2000, 0, 0);
        cpu.WriteCr3(Directory);
        Assert.False(cpu.Translate(0x1000, AccessKind.Read).IsFault); // global survived
        Assert.True(cpu.Translate(0x2000, AccessKind.Read).IsFault);
        cpu.WriteCr4(cpu.Cr4 & ~ControlRegisters.Cr4PageGlobalEnable); // toggling PGE flushes globals too
        Assert.True(cpu.Translate(0x1000, AccessKind.Read).IsFault);
    }

    [Fact]
    public void Global_bit_means_nothing_without_pge()
    {
        SimulatedCpu cpu = Cpu(CpuModel.Qemu32);
        MapSmall(0x1000, 0x21000, 0x3 | 0x100);
        cpu.Translate(0x1000, AccessKind.Read);
        MapSmall(0x1000, 0, 0);
        cpu.WriteCr3(Directory);
        Assert.True(cpu.Translate(0x1000, AccessKind.Read).IsFault);
    }

    [Fact]
    public void A_fault_drops_the_cached_translation()
    {
        SimulatedCpu cpu = Cpu(CpuModel.Qemu32);
        MapSmall(0x6000, 0x26000, 0x1);
        cpu.Translate(0x6000, AccessKind.Read);
        MapSmall(0x6000, 0x26000, 0x3); // made writable without invlpg: the cached read-only entry faults spuriously
        Assert.True(cpu.Translate(0x6000, AccessKind.Write).IsFault);
        Assert.False(cpu.Tlb.Contains(0x6000));
        Assert.False(cpu.Translate(0x6000, AccessKind.Write).IsFault);
    }

    [Fact]
    public void Cr4_bits_the_cpu_lacks_are_refused()
    {
        SimulatedCpu cpu = new(_ram, RamSize, CpuModel.NoPse);
        Assert.Throws<InvalidOperationException>(() => cpu.WriteCr4(ControlRegisters.Cr4PageSizeExtensions));
        Assert.Throws<InvalidOperationException>(() => cpu.WriteCr4(ControlRegisters.Cr4PageGlobalEnable));
        Assert.Throws<InvalidOperationException>(() => cpu.WriteCr0(ControlRegisters.Cr0Paging));
    }

    [Fact]
    public void Checked_window_throws_on_an_unmapped_access_and_reads_through_the_mmu()
    {
        SimulatedCpu cpu = Cpu(CpuModel.Qemu32);
        MapSmall(0x5000, 0x42000, 0x3);
        this[0x42010] = 0xCAFEF00D;
        using CheckedMemory mem = new(cpu);
        Assert.Equal(0xCAFEF00Du, mem.Window.Read<uint>(0x5010));
        PageFaultException e = Assert.Throws<PageFaultException>(() => mem.Window.Read<uint>(0x6000));
        Assert.Equal(0x6000u, e.Fault.Address);
        MapSmall(0x7000, 0x43000, 0x1);
        e = Assert.Throws<PageFaultException>(() => mem.Window.Write(0x7000, 1u));
        Assert.Equal(PageFaultErrorCode.Present | PageFaultErrorCode.Write, e.Fault.ErrorCode);
    }
}
