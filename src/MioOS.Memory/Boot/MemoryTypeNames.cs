namespace MioOS.Memory.Boot;

/// <summary>The one name of each memory type, used by every report (serial lines, JSON, tables, pictures).</summary>
public static class MemoryTypeNames
{
    /// <summary>"available", "reserved", "acpiReclaimable", "acpiNvs" or "badRam".</summary>
    public static string Of(MemoryType type) => type switch
    {
        MemoryType.Available => "available",
        MemoryType.AcpiReclaimable => "acpiReclaimable",
        MemoryType.AcpiNvs => "acpiNvs",
        MemoryType.BadRam => "badRam",
        _ => "reserved",
    };
}
