namespace MioOS.Memory.Boot;

/// <summary>The one name of each memory type and reserved kind, used by every report (serial lines, JSON, tables,
/// pictures).</summary>
public static class ReportNames
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

    /// <summary>"kernelImage", "heap", "pmmMetadata", "bootInfo", "bootMemoryMap", "commandLine", "loaderName",
    /// "moduleList", "moduleString" or "module".</summary>
    public static string Of(ReservedKind kind) => kind switch
    {
        ReservedKind.KernelImage => "kernelImage",
        ReservedKind.Heap => "heap",
        ReservedKind.PmmMetadata => "pmmMetadata",
        ReservedKind.InfoBlock => "bootInfo",
        ReservedKind.MemoryMap => "bootMemoryMap",
        ReservedKind.CommandLine => "commandLine",
        ReservedKind.LoaderName => "loaderName",
        ReservedKind.ModuleList => "moduleList",
        ReservedKind.ModuleString => "moduleString",
        _ => "module",
    };
}
