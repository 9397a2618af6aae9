using MioOS.Memory.Boot;

namespace MioOS.Memory.Tests.Boot;

/// <summary>The one name of each memory type and reserved kind, as every report (serial lines, JSON, tables, pictures)
/// prints it: distinct, so a report never names two things alike.</summary>
public class ReportNamesTests
{
    [Theory]
    [InlineData(MemoryType.Available, "available")]
    [InlineData(MemoryType.Reserved, "reserved")]
    [InlineData(MemoryType.AcpiReclaimable, "acpiReclaimable")]
    [InlineData(MemoryType.AcpiNvs, "acpiNvs")]
    [InlineData(MemoryType.BadRam, "badRam")]
    [InlineData((MemoryType)12, "reserved")] // an unknown type is reserved
    public void Each_memory_type_has_its_name(MemoryType type, string name) => Assert.Equal(name, ReportNames.Of(type));

    [Theory]
    [InlineData(ReservedKind.KernelImage, "kernelImage")]
    [InlineData(ReservedKind.Heap, "heap")]
    [InlineData(ReservedKind.PmmMetadata, "pmmMetadata")]
    [InlineData(ReservedKind.InfoBlock, "bootInfo")]
    [InlineData(ReservedKind.MemoryMap, "bootMemoryMap")]
    [InlineData(ReservedKind.CommandLine, "commandLine")]
    [InlineData(ReservedKind.LoaderName, "loaderName")]
    [InlineData(ReservedKind.ModuleList, "moduleList")]
    [InlineData(ReservedKind.ModuleString, "moduleString")]
    [InlineData(ReservedKind.Module, "module")]
    public void Each_reserved_kind_has_its_name(ReservedKind kind, string name) => Assert.Equal(name, ReportNames.Of(kind));

    [Fact]
    public void No_two_kinds_or_types_share_a_name()
    {
        string[] names = [.. Enum.GetValues<MemoryType>().Select(ReportNames.Of), .. Enum.GetValues<ReservedKind>().Select(ReportNames.Of)];
        Assert.Equal(names.Length, names.Distinct().Count());
    }
}
