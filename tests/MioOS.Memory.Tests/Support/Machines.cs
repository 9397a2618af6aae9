using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Machine;

namespace MioOS.Memory.Tests.Support;

/// <summary>Shorthands for building machines in tests.</summary>
internal static class Machines
{
    public const uint Available = 1, Reserved = 2;

    public static MemoryMapEntry E(ulong baseAddress, ulong length, uint type = Available) => new(baseAddress, length, type);

    public static MachineConfig WithMap(params MemoryMapEntry[] map) => new() { MemoryMap = map, Description = "test" };

    /// <summary>A plain PC: low 640 KiB and RAM from 1 MiB to <paramref name="top"/>.</summary>
    public static MemoryMapEntry[] PlainMap(ulong top) => [E(0, 0x9FC00), E(0x9FC00, 0x400, Reserved), E(0x100000, top - 0x100000)];
}
