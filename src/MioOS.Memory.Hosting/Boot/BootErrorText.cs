using MioOS.Memory.Boot;
using MioOS.Memory.Physical;

namespace MioOS.Memory.Hosting.Boot;

/// <summary>Turns the core's located error results into sentences that say what was wrong and where.</summary>
public static class BootErrorText
{
    /// <summary>Describes a refused boot-information block.</summary>
    public static string Describe(BootInfoResult r) => r.Status switch
    {
        BootInfoStatus.Ok => "boot information parsed",
        BootInfoStatus.UnknownMagic => $"EAX = 0x{r.Value:X8} is neither multiboot1 (0x2BADB002) nor multiboot2 (0x36D76289) magic",
        BootInfoStatus.InfoOutsideMemory => $"boot info block at 0x{r.Address:X} ({r.Value} bytes) lies outside memory",
        BootInfoStatus.InfoMisaligned => $"multiboot2 info block at 0x{r.Address:X} is not 8-byte aligned",
        BootInfoStatus.InfoTooSmall => $"multiboot2 info block at 0x{r.Address:X}: total_size {r.Value} cannot hold the header and an end tag",
        BootInfoStatus.TagTruncated => $"multiboot2 tag at 0x{r.Address:X} is truncated (size {r.Value})",
        BootInfoStatus.TagPastEnd => $"multiboot2 tag at 0x{r.Address:X}: size {r.Value} runs past the end of the info block",
        BootInfoStatus.NoEndTag => $"multiboot2 info block ends at 0x{r.Address:X} without an end tag",
        BootInfoStatus.EntrySizeTooSmall => $"memory map at 0x{r.Address:X}: entry size {r.Value} is smaller than an entry",
        BootInfoStatus.EntryPastEnd => $"memory-map entry at 0x{r.Address:X} runs past the end of the map",
        BootInfoStatus.MapOutsideMemory => $"multiboot1 mmap_addr 0x{r.Address:X} (mmap_length {r.Value}) lies outside memory",
        BootInfoStatus.NoMemoryMap => $"boot info at 0x{r.Address:X} has neither a memory map nor basic memory information",
        BootInfoStatus.TooManyMapEntries => $"memory map at 0x{r.Address:X} has more than {r.Value} entries",
        BootInfoStatus.TooManyModules => $"module at 0x{r.Address:X}: more than {r.Value} modules",
        BootInfoStatus.TooManyRegions => $"region at 0x{r.Address:X}: more than {r.Value} boot regions to reserve",
        BootInfoStatus.ModuleListOutsideMemory => $"multiboot1 module list at 0x{r.Address:X} ({r.Value} modules) lies outside memory",
        BootInfoStatus.ModuleInvalid => $"module entry at 0x{r.Address:X}: mod_end 0x{r.Value:X} lies before mod_start or outside memory",
        BootInfoStatus.StringUnterminated => $"string at 0x{r.Address:X} has no terminating NUL inside its bounds",
        _ => $"boot information refused ({r.Status}) at 0x{r.Address:X}",
    };

    /// <summary>Describes a refused PMM start.</summary>
    public static string Describe(PmmInitResult r, KernelLayout layout) => r.Status switch
    {
        PmmInitStatus.Ok => "PMM initialised",
        PmmInitStatus.BadKernelLayout => $"kernel base 0x{layout.KernelBase:X} / end 0x{layout.KernelEnd:X} is not a valid layout",
        PmmInitStatus.KernelOverlapsHeap => $"kernel image ends at 0x{layout.KernelEnd:X}, inside the heap area that starts at 0x{layout.HeapStart:X}",
        PmmInitStatus.BootInfoInHeap => $"boot information or a module at 0x{r.Address:X} lies inside the heap area 0x{layout.HeapStart:X}-0x{layout.HeapEnd:X}; refusing to overwrite it",
        PmmInitStatus.NoUsableLowMemory => $"no usable low memory for the kernel layout: the kernel at 0x{layout.KernelBase:X} and the heap 0x{layout.HeapStart:X}-0x{layout.HeapEnd:X} need one available range, and the PMM metadata room below 2 GiB; the range ends or is missing at 0x{r.Address:X}",
        _ => $"PMM refused to start ({r.Status}) at 0x{r.Address:X}",
    };
}
