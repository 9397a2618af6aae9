namespace MioOS.Memory.Boot;

/// <summary>Why a boot-information block was refused. Each comes with the address where the problem is.</summary>
public enum BootInfoStatus
{
    /// <summary>Parsed.</summary>
    Ok,

    /// <summary>EAX held neither multiboot magic number (<see cref="BootInfoResult.Value"/> = EAX).</summary>
    UnknownMagic,

    /// <summary>The info block does not lie inside memory.</summary>
    InfoOutsideMemory,

    /// <summary>The mb2 info block is not 8-byte aligned.</summary>
    InfoMisaligned,

    /// <summary>The mb2 total_size is too small to hold the fixed header and an end tag (<c>Value</c> = total_size).</summary>
    InfoTooSmall,

    /// <summary>A tag header does not fit in what is left of the block, or its size is below 8 (<c>Value</c> = size).</summary>
    TagTruncated,

    /// <summary>A tag's size runs past total_size (<c>Value</c> = size).</summary>
    TagPastEnd,

    /// <summary>The tag list ended (total_size reached) without an end tag (<c>Address</c> = the end of the block).</summary>
    NoEndTag,

    /// <summary>A memory-map entry size is smaller than an entry (<c>Value</c> = the size given).</summary>
    EntrySizeTooSmall,

    /// <summary>A memory-map entry runs past the end of its tag or of mmap_length.</summary>
    EntryPastEnd,

    /// <summary>The mb1 mmap_addr/mmap_length range does not lie inside memory (<c>Value</c> = mmap_length).</summary>
    MapOutsideMemory,

    /// <summary>Neither a memory map nor basic memory information was given.</summary>
    NoMemoryMap,

    /// <summary>More memory-map entries than the caller's buffer holds (<c>Value</c> = its capacity).</summary>
    TooManyMapEntries,

    /// <summary>More modules than the caller's buffer holds (<c>Value</c> = its capacity).</summary>
    TooManyModules,

    /// <summary>More regions to reserve than the caller's buffer holds (<c>Value</c> = its capacity).</summary>
    TooManyRegions,

    /// <summary>The mb1 module list does not lie inside memory (<c>Value</c> = mods_count).</summary>
    ModuleListOutsideMemory,

    /// <summary>A module's end lies before its start, or outside memory (<c>Value</c> = mod_end).</summary>
    ModuleInvalid,

    /// <summary>A string has no terminating NUL inside its tag or inside memory.</summary>
    StringUnterminated,
}

/// <summary>The outcome of parsing boot information: a status, where it went wrong, and the offending value.</summary>
public readonly struct BootInfoResult
{
    /// <summary>What happened.</summary>
    public readonly BootInfoStatus Status;

    /// <summary>The physical address of the offending structure (tag, entry, field).</summary>
    public readonly ulong Address;

    /// <summary>The offending value (a size, a count, the magic), when there is one.</summary>
    public readonly ulong Value;

    /// <summary>Creates a result.</summary>
    public BootInfoResult(BootInfoStatus status, ulong address, ulong value)
    {
        Status = status;
        Address = address;
        Value = value;
    }

    /// <summary>True when parsing succeeded.</summary>
    public bool IsOk => Status == BootInfoStatus.Ok;

    /// <summary>The success result.</summary>
    public static BootInfoResult Ok => default;
}
