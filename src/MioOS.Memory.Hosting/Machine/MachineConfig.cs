using System.Collections.Generic;
using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Boot;
using MioOS.Memory.Physical;

namespace MioOS.Memory.Hosting.Machine;

/// <summary>What a simulated PC is booted with: the firmware's raw memory map, the loader, the kernel layout.</summary>
public sealed record MachineConfig
{
    /// <summary>The kernel image end of the simulated kernel: as in the captured boots of <c>data/bootinfo</c>.</summary>
    public const ulong DefaultKernelEnd = BootInfoCapture.CapturedKernelEnd;

    /// <summary>The firmware's raw map (unsorted, overlapping entries allowed: the core sanitises it).</summary>
    public required IReadOnlyList<MemoryMapEntry> MemoryMap { get; init; }

    /// <summary>Where the map came from, for reports ("QEMU -m 128M", a file name).</summary>
    public string Description { get; init; } = "";

    /// <summary>Which loader hands over: GRUB-style multiboot2 (default) or QEMU-style multiboot1.</summary>
    public BootProtocol Protocol { get; init; } = BootProtocol.Multiboot2;

    /// <summary>The kernel's physical base and image end.</summary>
    public KernelLayout Layout { get; init; } = new(KernelLayout.DefaultKernelBase, DefaultKernelEnd);

    /// <summary>The kernel command line the loader passes.</summary>
    public string CommandLine { get; init; } = "";

    /// <summary>Boot modules the loader places after the kernel.</summary>
    public IReadOnlyList<BootModuleImage> Modules { get; init; } = [];

    /// <summary>A captured boot to replay instead of writing one (its map and layout win).</summary>
    public BootInfoCapture? Capture { get; init; }

    /// <summary>The built-in default machine: the map of <c>qemu-system-i386 -m 128M</c>.</summary>
    public static MachineConfig Default => ForMemorySize(QemuMemoryMap.DefaultRamSize);

    /// <summary>QEMU's default PC with <paramref name="ramSize"/> bytes of RAM.</summary>
    public static MachineConfig ForMemorySize(ulong ramSize) => new()
    {
        MemoryMap = QemuMemoryMap.For(ramSize),
        Description = $"QEMU PC -m {SizeText.Format(ramSize)}",
    };

    /// <summary>A machine whose firmware reports the map in an e820 text / dmesg file.</summary>
    public static MachineConfig ForMemoryMapFile(string path) => new()
    {
        MemoryMap = MemoryMapText.ReadFile(path),
        Description = System.IO.Path.GetFileName(path),
    };

    /// <summary>A machine replaying a captured boot (loader bytes at their real addresses).</summary>
    public static MachineConfig ForCapture(BootInfoCapture capture) => new()
    {
        MemoryMap = [],
        Capture = capture,
        Description = capture.Header,
    };
}
