using System.CommandLine;
using System.IO;
using MioOS.Memory.Boot;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Hosting.Machine;

namespace MioOS.Memory.Cli.Commands;

/// <summary>The options that choose the simulated machine, shared by every command that boots one.</summary>
internal sealed class MachineOptions
{
    public MachineOptions(bool json = true)
    {
        if (json)
            Json = new Option<bool>("--json") { Description = "print JSON instead of tables" };
    }

    public Option<string?> Memory { get; } = new("--memory", "-m")
    {
        Description = "RAM of a QEMU default PC, as QEMU's -m: MiB as a plain number, or with a unit (128, 3500M, 5G); default 128",
        HelpName = "SIZE",
    };

    public Option<FileInfo?> MemoryMap { get; } = new("--memmap")
    {
        Description = "firmware memory map file instead: e820 text (0xSTART 0xEND type) or dmesg BIOS-e820 lines (see data/memmaps)",
        HelpName = "FILE",
    };

    public Option<int> Multiboot { get; } = new("--multiboot")
    {
        Description = "loader of the simulated boot: 2 (GRUB, multiboot2) or 1 (QEMU -kernel, multiboot1)",
        DefaultValueFactory = _ => 2,
        HelpName = "1|2",
    };

    /// <summary>The <c>--json</c> switch, when the command has one.</summary>
    public Option<bool>? Json { get; }

    public void AddTo(Command command)
    {
        command.Add(Memory);
        command.Add(MemoryMap);
        command.Add(Multiboot);
        if (Json is not null)
            command.Add(Json);
    }

    public bool WantsJson(ParseResult result) => Json is not null && result.GetValue(Json);

    /// <summary>The RAM size when the machine is QEMU's PC (the default or <c>--memory</c>), null for a map file.</summary>
    public ulong? RamBytes(ParseResult result)
    {
        if (result.GetValue(MemoryMap) is not null)
            return null;
        string? memory = result.GetValue(Memory);
        return memory is null ? QemuMemoryMap.DefaultRamSize : Numbers.MemorySize(memory, "--memory");
    }

    /// <summary>The machine the options describe.</summary>
    public MachineConfig Resolve(ParseResult result)
    {
        string? memory = result.GetValue(Memory);
        FileInfo? map = result.GetValue(MemoryMap);
        int multiboot = result.GetValue(Multiboot);
        if (memory is not null && map is not null)
            throw new UsageException("--memory and --memmap both choose the machine; give one of them");
        if (multiboot is not (1 or 2))
            throw new UsageException($"--multiboot {multiboot}: the loader protocol is 1 or 2");
        if (map is not null && !map.Exists)
            throw new UsageException($"--memmap {map}: no such file");
        MachineConfig config = map is not null
            ? MachineConfig.ForMemoryMapFile(map.FullName)
            : MachineConfig.ForMemorySize(RamBytes(result)!.Value);
        return config with { Protocol = multiboot == 1 ? BootProtocol.Multiboot1 : BootProtocol.Multiboot2 };
    }
}
