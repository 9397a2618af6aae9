namespace MioOS.Memory.Boot;

/// <summary>Which multiboot protocol handed over the boot information.</summary>
public enum BootProtocol : byte
{
    /// <summary>No boot information was parsed.</summary>
    None = 0,

    /// <summary>Multiboot 0.6.96: EAX = 0x2BADB002, EBX points at the 116-byte info struct.</summary>
    Multiboot1 = 1,

    /// <summary>Multiboot2: EAX = 0x36D76289, EBX points at <c>total_size, reserved</c> and 8-byte-aligned tags.</summary>
    Multiboot2 = 2,
}

/// <summary>A boot module: the bytes [<see cref="Start"/>, <see cref="End"/>) (mod_end is exclusive in both protocols).</summary>
public struct BootModule
{
    /// <summary>First byte of the module.</summary>
    public ulong Start;

    /// <summary>First byte after the module.</summary>
    public ulong End;

    /// <summary>Physical address of the module's NUL-terminated string.</summary>
    public ulong String;

    /// <summary>Length of the string without its NUL.</summary>
    public uint StringLength;
}

/// <summary>What the parser found, besides the entries it wrote into the caller's spans.</summary>
public struct BootInfo
{
    /// <summary>The protocol.</summary>
    public BootProtocol Protocol;

    /// <summary>Physical address of the info block (EBX).</summary>
    public ulong InfoAddress;

    /// <summary>Bytes of the info block (116 for mb1, total_size for mb2).</summary>
    public uint InfoLength;

    /// <summary>Raw memory-map entries written.</summary>
    public int MapEntryCount;

    /// <summary>True when the map was made from mem_lower/mem_upper because the loader gave no memory map.</summary>
    public bool MapFromBasicMemInfo;

    /// <summary>Modules written.</summary>
    public int ModuleCount;

    /// <summary>Regions to reserve written.</summary>
    public int RegionCount;

    /// <summary>Physical address of the command line, 0 when there is none.</summary>
    public ulong CommandLine;

    /// <summary>Length of the command line without its NUL.</summary>
    public uint CommandLineLength;

    /// <summary>Physical address of the loader name, 0 when there is none.</summary>
    public ulong LoaderName;

    /// <summary>Length of the loader name without its NUL.</summary>
    public uint LoaderNameLength;
}
