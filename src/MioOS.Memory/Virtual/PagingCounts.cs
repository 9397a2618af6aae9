namespace MioOS.Memory.Virtual;

/// <summary>Counts over one address space's paging structures.</summary>
public struct PagingCounts
{
    /// <summary>Page tables referenced from the directory (the recursive slot not counted).</summary>
    public uint PageTables;

    /// <summary>Present 4 KiB pages.</summary>
    public uint Mapped4K;

    /// <summary>Present 4 MiB pages.</summary>
    public uint Mapped4M;
}
