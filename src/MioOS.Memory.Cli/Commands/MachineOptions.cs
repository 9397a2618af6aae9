using System.CommandLine;
using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Machine;

namespace MioOS.Memory.Cli.Commands;

/// <summary>The options that choose the simulated machine, shared by every command that boots one.</summary>
internal sealed class MachineOptions
{
    public Option<string?> Memory { get; } = new("--memory", "-m")
    {
        Description = "RAM size of a QEMU default PC (e.g. 128M, 3500M, 5G); default: the map of qemu-system-i386 -m 128M",
    };

    public Option<FileInfo?> MemoryMap { get; } = new("--memmap")
    {
        Description = "firmware memory map file: e820 text (0xSTART 0xEND type) or dmesg BIOS-e820 lines",
    };

    public Option<int> Multiboot { get; } = new("--multiboot")
    {
        Description = "loader protocol of the simulated boot: 2 (GRUB style, default) or 1 (QEMU -kernel style)",
        DefaultValueFactory = _ => 2,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "print one JSON object instead of tables" };

    public void AddTo(Command command)
    {
        command.Add(Memory);
        command.Add(MemoryMap);
        command.Add(Multiboot);
        command.Add(Json);
    }

    /// <summary>The machine the options describe.</summary>
    public MachineConfig Resolve(ParseResult result)
    {
        string? memory = result.GetValue(Memory);
        FileInfo? map = result.GetValue(MemoryMap);
        int multiboot = result.GetValue(Multiboot);
        if (memory is not null && map is not null)
            throw new System.ArgumentException("--memory and --memmap choose the machine in two ways; give one");
        if (multiboot is not (1 or 2))
            throw new System.ArgumentException($"--multiboot {multiboot}: the protocol is 1 or 2");
        MachineConfig config = map is not null
            ? MachineConfig.ForMemoryMapFile(map.FullName)
            : memory is not null ? MachineConfig.ForMemorySize(SizeText.Parse(memory)) : MachineConfig.Default;
        return config with { Protocol = multiboot == 1 ? BootProtocol.Multiboot1 : BootProtocol.Multiboot2 };
    }
}
