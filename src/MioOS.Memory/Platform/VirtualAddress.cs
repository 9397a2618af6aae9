namespace MioOS.Memory.Platform;

/// <summary>
/// A 32-bit linear (virtual) address: what the CPU translates through the page directory.
/// </summary>
public readonly struct VirtualAddress
{
    /// <summary>The raw address.</summary>
    public readonly uint Value;

    /// <summary>Wraps a raw linear address.</summary>
    public VirtualAddress(uint value) => Value = value;

    /// <summary>Page-directory index: bits 31:22 (SDM vol. 3, 32-bit paging).</summary>
    public uint DirectoryIndex => Value >> Frames.LargeShift;

    /// <summary>Page-table index: bits 21:12.</summary>
    public uint TableIndex => (Value >> Frames.Shift) & (Frames.PerLargePage - 1);

    /// <summary>Offset within a 4 KiB page: bits 11:0.</summary>
    public uint PageOffset => Value & (uint)Frames.OffsetMask;
}
