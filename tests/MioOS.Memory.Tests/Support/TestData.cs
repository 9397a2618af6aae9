namespace MioOS.Memory.Tests.Support;

/// <summary>Paths of the real data copied into the repository (and next to the test binaries).</summary>
internal static class TestData
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "data");

    public static string MemoryMap(string name) => Path.Combine(Root, "memmaps", name);

    public static string BootInfo(string name) => Path.Combine(Root, "bootinfo", name);

    public static string Trace(string name) => Path.Combine(Root, "traces", name);

    public static IEnumerable<string> MemoryMapFiles() =>
        Directory.GetFiles(Path.Combine(Root, "memmaps"), "*.txt").OrderBy(f => f, StringComparer.Ordinal);

    public static TheoryData<string> MemoryMapNames()
    {
        var data = new TheoryData<string>();
        foreach (string f in MemoryMapFiles())
            data.Add(Path.GetFileName(f));
        return data;
    }
}
