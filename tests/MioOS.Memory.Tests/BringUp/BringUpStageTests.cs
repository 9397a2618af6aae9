using MioOS.Memory.Boot;
using MioOS.Memory.Hosting;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.BringUp;

/// <summary>
/// The one bring-up, stage by stage, from a multiboot2 block laid by hand (spec section 3.6: header, one memory-map
/// tag, the end tag): a stage that refuses is the one reported, with its own status, and no later stage runs.
/// </summary>
public sealed unsafe class BringUpStageTests : IDisposable
{
    private const ulong KernelStart = 0x100000, KernelEnd = 0x180000;
    private const ulong LowInfo = 0x190000;        // right after the kernel, where QEMU and GRUB put it
    private const ulong HighInfo = 0x9000_0000;    // above 2 GiB, past what the kernel identity-maps
    private const ulong RamTop = 0xA000_0000;      // 2.5 GiB

    private readonly SimulatedRam _ram = new(RamTop);
    private readonly SimulatedCpu _cpu;
    private readonly CheckedMemory _checked;
    private readonly MemoryMapEntry[] _raw = new MemoryMapEntry[MemoryMapSanitizer.MaxEntries];
    private readonly MemoryMapEntry[] _map = new MemoryMapEntry[2 * MemoryMapSanitizer.MaxEntries];
    private readonly BootModule[] _modules = new BootModule[8];
    private readonly ReservedRange[] _regions = new ReservedRange[64];

    public BringUpStageTests()
    {
        _cpu = new SimulatedCpu(_ram.Base, _ram.Size, CpuModel.Qemu32);
        _checked = new CheckedMemory(_cpu);
    }

    public void Dispose()
    {
        _checked.Dispose();
        _ram.Dispose();
    }

    private BringUpBuffers Buffers => new(_raw, _map, _modules, _regions);

    /// <summary>A multiboot2 block at <paramref name="info"/>: 640 KiB of base memory and RAM from 1 MiB to 2.5 GiB.</summary>
    private void LayMultiboot2(ulong info)
    {
        const uint mapTagSize = 16 + 2 * 24, total = 8 + mapTagSize + 8;
        ulong tag = info + 8;
        _ram.Write(info, [.. U32(total), .. U32(0)]);
        _ram.Write(tag, [.. U32(6), .. U32(mapTagSize), .. U32(24), .. U32(0)]);
        _ram.Write(tag + 16, [.. U64(0), .. U64(0x9FC00), .. U32(1), .. U32(0)]);
        _ram.Write(tag + 40, [.. U64(0x100000), .. U64(RamTop - 0x100000), .. U32(1), .. U32(0)]);
        _ram.Write(tag + mapTagSize, [.. U32(0), .. U32(8)]);
    }

    private static byte[] U32(uint v) => BitConverter.GetBytes(v);
    private static byte[] U64(ulong v) => BitConverter.GetBytes(v);

    private MemorySubsystem<SimulatedCpuPort> Subsystem(uint magic, ulong info) =>
        MemorySubsystem<SimulatedCpuPort>.ForHandoff(_checked.Window, new SimulatedCpuPort(_cpu), magic, (uint)info, KernelStart, KernelEnd);

    [Fact]
    public void Every_stage_comes_up_from_a_sound_block()
    {
        LayMultiboot2(LowInfo);
        MemorySubsystem<SimulatedCpuPort> mm = Subsystem(MultibootParser.Multiboot2Magic, LowInfo);
        BringUpResult r = mm.BringUp(BringUpStage.Heap, Buffers);
        Assert.True(r.IsOk, $"{r.FailedStage} {r.Status}");
        Assert.Equal(BringUpStage.Heap, mm.Reached);
        Assert.NotEqual(0u, _cpu.Cr0 & ControlRegisters.Cr0Paging);
    }

    [Fact]
    public void An_unknown_magic_stops_the_bring_up_at_the_boot_info_stage_with_the_magic_and_the_block_address()
    {
        LayMultiboot2(LowInfo);
        const uint magic = 0x1BADB002; // the magic of a multiboot header, not of a loader's handoff
        MemorySubsystem<SimulatedCpuPort> mm = Subsystem(magic, LowInfo);
        BringUpResult r = mm.BringUp(BringUpStage.Heap, Buffers);
        Assert.Equal((BringUpStage.BootInfo, (int)BootInfoStatus.UnknownMagic, LowInfo, (ulong)magic),
            (r.FailedStage, r.Status, r.Address, r.Value));
        Assert.Equal(BringUpStage.None, mm.Reached);
        Assert.Equal(0, mm.Sanitize.Count); // the map stage never ran
    }

    [Fact]
    public void A_boot_block_above_the_identity_mapped_kernel_part_stops_the_bring_up_at_the_vmm_with_paging_off()
    {
        // The kernel keeps boot data readable once paging is on by identity-mapping it; above 2 GiB it cannot.
        LayMultiboot2(HighInfo);
        MemorySubsystem<SimulatedCpuPort> mm = Subsystem(MultibootParser.Multiboot2Magic, HighInfo);
        BringUpResult r = mm.BringUp(BringUpStage.Heap, Buffers);
        Assert.Equal((BringUpStage.Vmm, (int)VmmStatus.OutsideKernelSpace), (r.FailedStage, r.Status));
        Assert.Equal(BringUpStage.Pmm, mm.Reached);
        Assert.Equal(0u, _cpu.Cr0 & ControlRegisters.Cr0Paging);
    }
}
