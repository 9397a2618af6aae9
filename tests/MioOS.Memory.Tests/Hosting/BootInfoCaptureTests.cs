using System.Text;
using MioOS.Memory.Boot;
using MioOS.Memory.Hosting;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Hosting;

/// <summary>The byte-exact captures of QEMU's multiboot1 and GRUB 2.06's multiboot2 boot information.</summary>
public class BootInfoCaptureTests
{
    public static TheoryData<string, BootProtocol, ulong, uint, string> Captures => new()
    {
        { "mb1-128M.txt", BootProtocol.Multiboot1, 128ul << 20, 0x9500, "kernel.bin " },
        { "mb1-3500M.txt", BootProtocol.Multiboot1, 3500ul << 20, 0x9500, "kernel.bin " },
        { "mb1-5G.txt", BootProtocol.Multiboot1, 5ul << 30, 0x9500, "kernel.bin " },
        { "mb1-256M-mods.txt", BootProtocol.Multiboot1, 256ul << 20, 0x9500, "kernel.bin console=ttyS0 test=1" },
        { "mb2-128M.txt", BootProtocol.Multiboot2, 128ul << 20, 0x15A000, "" },
        { "mb2-5G.txt", BootProtocol.Multiboot2, 5ul << 30, 0x15A000, "" },
        { "mb2-256M-mods.txt", BootProtocol.Multiboot2, 256ul << 20, 0x15A018, "console=ttyS0 test=1" },
    };

    [Theory]
    [MemberData(nameof(Captures))]
    public void Each_capture_parses_to_the_map_qemu_gives_for_its_size(string file, BootProtocol protocol, ulong ram, uint mbi, string commandLine)
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForCapture(BootInfoCapture.Load(TestData.BootInfo(file))));
        Assert.Equal(protocol, pc.BootInfo.Protocol);
        Assert.Equal(mbi, pc.BootInfo.InfoAddress);
        Assert.Equal(QemuMemoryMap.For(ram).Select(e => (e.Base, e.Length, e.Type)), pc.RawMap.Select(e => (e.Base, e.Length, e.Type)));
        Assert.Equal(commandLine, pc.ReadString(pc.BootInfo.CommandLine, pc.BootInfo.CommandLineLength));
        Assert.True(pc.Pmm.CheckIntegrity().IsOk);
    }

    [Fact]
    public void Qemu_multiboot1_capture_lists_its_modules_strings_and_loader_name()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForCapture(BootInfoCapture.Load(TestData.BootInfo("mb1-256M-mods.txt"))));
        Assert.Equal("qemu", pc.ReadString(pc.BootInfo.LoaderName, pc.BootInfo.LoaderNameLength));
        Assert.Equal(2, pc.Modules.Count);
        Assert.Equal((0x15B000ul, 0x15B015ul, "a.bin arg1"), (pc.Modules[0].Start, pc.Modules[0].End, pc.ReadString(pc.Modules[0].String, pc.Modules[0].StringLength)));
        Assert.Equal((0x15C000ul, 0x15C12Cul, "b.bin"), (pc.Modules[1].Start, pc.Modules[1].End, pc.ReadString(pc.Modules[1].String, pc.Modules[1].StringLength)));
        Assert.Equal("module A payload 123\n", Encoding.ASCII.GetString(pc.Ram.Bytes(pc.Modules[0].Start, 21)));
        AssertModuleFramesNeverFree(pc);
    }

    [Fact]
    public void Grub_multiboot2_capture_lists_its_modules_and_the_info_block_sharing_a_page_with_module_A()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForCapture(BootInfoCapture.Load(TestData.BootInfo("mb2-256M-mods.txt"))));
        Assert.Equal(464u, pc.BootInfo.InfoLength);
        Assert.StartsWith("GRUB 2.06", pc.ReadString(pc.BootInfo.LoaderName, pc.BootInfo.LoaderNameLength));
        Assert.Equal(2, pc.Modules.Count);
        Assert.Equal((0x15A000ul, 0x15A015ul, "argA"), (pc.Modules[0].Start, pc.Modules[0].End, pc.ReadString(pc.Modules[0].String, pc.Modules[0].StringLength)));
        Assert.Equal((0x15B000ul, 0x15B12Cul, ""), (pc.Modules[1].Start, pc.Modules[1].End, pc.ReadString(pc.Modules[1].String, pc.Modules[1].StringLength)));
        byte[] b = pc.Ram.Bytes(0x15B000, 300).ToArray();
        Assert.All(Enumerable.Range(0, 300), i => Assert.Equal((byte)((7 * i + 3) & 0xFF), b[i]));
        AssertModuleFramesNeverFree(pc);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void The_parser_reads_nothing_outside_the_captured_segments(string file, BootProtocol protocol, ulong ram, uint mbi, string commandLine)
    {
        _ = (protocol, ram, mbi, commandLine);
        BootInfoCapture capture = BootInfoCapture.Load(TestData.BootInfo(file));
        using var memory = new SimulatedRam(1ul << 30);
        LoaderHandoff handoff = capture.WriteTo(memory);
        using var recorder = new RecordingWindow(memory);
        BootInfoResult r = MultibootParser.Parse(recorder.Window, handoff.Magic, handoff.InfoAddress,
            new MemoryMapEntry[64], new BootModule[8], new ReservedRange[32], out _);
        Assert.True(r.IsOk, r.Status.ToString());
        Assert.NotEmpty(recorder.Accesses);
        foreach (var (address, length) in recorder.Accesses)
            Assert.True(capture.Segments.Any(s => s.Address <= address && address + length <= s.Address + (ulong)s.Data.Length),
                $"read of {length} bytes at 0x{address:X} lies outside every captured segment");
    }

    private static void AssertModuleFramesNeverFree(SimulatedPc pc)
    {
        foreach (BootModule m in pc.Modules)
        {
            ExtentCursor free = pc.Pmm.FreeExtents(FrameRegion.Low);
            while (free.Next(out var start, out uint frames))
                Assert.False(start.Value < m.End && m.Start < start.Value + frames * 4096ul, $"module at 0x{m.Start:X} lies in a free extent");
        }
        Assert.True(pc.Pmm.CheckIntegrity().IsOk);
    }
}
