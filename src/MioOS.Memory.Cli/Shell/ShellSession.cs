using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using MioOS.Memory.Boot;
using MioOS.Memory.Cli.Commands;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Cli.Reports;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Pictures;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Cli.Shell;

/// <summary>What one shell command answered: whether the call succeeded, its text, its JSON.</summary>
internal sealed record ShellAnswer(bool Ok, string Text, JsonObject Json);

/// <summary>
/// The shell's commands on one booted machine: every function of the spec by its name (PMM, VMM, heap), the
/// reports, the integrity walk and the pictures. Arguments are checked (a missing, extra or malformed one is
/// bad input, <see cref="UsageException"/>); a call the memory manager refuses is an answer with Ok false.
/// With <paramref name="writesPictures"/> false (a page that draws the pictures itself), <c>map</c>,
/// <c>heapmap</c> and <c>pagetables</c> check their arguments and answer which picture to draw, writing no file.
/// </summary>
internal sealed class ShellSession(KernelMachine machine, bool writesPictures = true)
{
    private sealed record Spec(string Name, string Usage, string What, int Min, int Max, string[] Words, Func<ShellSession, string[], ShellAnswer> Run);

    private static readonly Spec[] Specs =
    [
        new("alloc_frame", "alloc_frame N [identity] [high] [ALIGN]", "N contiguous 4 KiB frames (identity: also map them; high: above 4 GiB; ALIGN in frames)", 1, 4, ["identity", "high"], (s, a) => s.AllocFrame(a)),
        new("free_frame", "free_frame ADDR", "give back the allocation that starts at ADDR", 1, 1, [], (s, a) => s.FreeFrame(a)),
        new("alloc_page", "alloc_page VIRT PHYS [ro] [user]", "map the 4 KiB page at VIRT to the frame at PHYS", 2, 4, ["ro", "user"], (s, a) => s.AllocPage(a, large: false)),
        new("alloc_page_4mib", "alloc_page_4mib VIRT PHYS [ro] [user]", "map a 4 MiB page (PSE; PSE-36 above 4 GiB)", 2, 4, ["ro", "user"], (s, a) => s.AllocPage(a, large: true)),
        new("identity_map_region", "identity_map_region START END [ro] [user] [4m]", "map [START, END) to itself (4m: 4 MiB pages where they fit)", 2, 5, ["ro", "user", "4m"], (s, a) => s.IdentityMap(a)),
        new("free_page", "free_page VIRT", "unmap the page at VIRT (4 KiB or a whole 4 MiB page)", 1, 1, [], (s, a) => s.FreePage(a)),
        new("translate", "translate VIRT", "the physical address VIRT maps to", 1, 1, [], (s, a) => s.Translate(a)),
        new("query", "query VIRT", "the status of the page at VIRT: mapped, size, flags", 1, 1, [], (s, a) => s.Query(a)),
        new("kmalloc", "kmalloc SIZE", "SIZE bytes from the kernel heap", 1, 1, [], (s, a) => s.Pointer("kmalloc", s.Heap.Kmalloc(s.U32(a, 0, "kmalloc SIZE"), out HeapStatus st), st)),
        new("kcalloc", "kcalloc N SIZE", "N x SIZE zeroed bytes", 2, 2, [], (s, a) => s.Pointer("kcalloc", s.Heap.Kcalloc(s.U32(a, 0, "kcalloc N"), s.U32(a, 1, "kcalloc SIZE"), out HeapStatus st), st)),
        new("krealloc", "krealloc PTR SIZE", "resize the block at PTR", 2, 2, [], (s, a) => s.Pointer("krealloc", s.Heap.Krealloc(s.U32(a, 0, "krealloc PTR"), s.U32(a, 1, "krealloc SIZE"), out HeapStatus st), st)),
        new("kmalloc_aligned", "kmalloc_aligned SIZE ALIGN", "SIZE bytes at a multiple of ALIGN", 2, 2, [], (s, a) => s.Pointer("kmalloc_aligned", s.Heap.KmallocAligned(s.U32(a, 0, "kmalloc_aligned SIZE"), s.U32(a, 1, "kmalloc_aligned ALIGN"), out HeapStatus st), st)),
        new("kfree", "kfree PTR", "give back the block at PTR", 1, 1, [], (s, a) => s.Kfree(a)),
        new("meminfo", "meminfo [-v] [--mmap]", "physical memory: usable, used, free (-v: placement, --mmap: the map)", 0, 2, ["-v", "--mmap"], (s, a) => s.Meminfo(a)),
        new("heapinfo", "heapinfo", "the kernel heap's figures", 0, 0, [], (s, _) => s.Heapinfo()),
        new("pagemap", "pagemap", "the mapped ranges of the address space, merged", 0, 0, [], (s, _) => s.Pagemap()),
        new("check", "check", "walk the PMM's and the heap's invariants", 0, 0, [], (s, _) => s.Check()),
        new("map", "map FILE.svg", "picture of physical memory now", 1, 1, [], (s, a) => s.Picture(a[0], "map", [], () => PhysicalMapSvg.Render(s.Machine.Pc))),
        new("heapmap", "heapmap FILE.svg [SIZE]", "picture of the heap now (SIZE: mark where kmalloc(SIZE) would go)", 1, 2, [], (s, a) => s.Heapmap(a)),
        new("pagetables", "pagetables FILE.svg [SLOT]", "picture of the page directory (SLOT: and that page table)", 1, 2, [], (s, a) => s.Pagetables(a)),
        new("help", "help", "this list", 0, 0, [], (_, _) => new ShellAnswer(true, HelpText(), new JsonObject { ["commands"] = new JsonArray(Specs!.Select(p => (JsonNode)p.Usage).ToArray()) })),
    ];

    /// <summary>The command names and their option words, for Tab completion.</summary>
    public static IReadOnlyList<string> CommandNames => [.. Specs.Select(s => s.Name), "quit"];

    /// <summary>The words that complete the word at <paramref name="cursor"/> of <paramref name="line"/>.</summary>
    public static IReadOnlyList<string> Completions(string line, int cursor)
    {
        string before = line[..cursor];
        string[] words = before.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        bool first = words.Length == 0 || (words.Length == 1 && !before.EndsWith(' '));
        if (first)
            return CommandNames;
        return Specs.FirstOrDefault(s => s.Name == words[0])?.Words ?? [];
    }

    public static string HelpText() =>
        "commands (numbers: decimal, 0x hex, or with K, M, G):\n" +
        string.Join("\n", Specs.Select(s => $"  {s.Usage,-46} {s.What}")) +
        "\n  quit                                           end the session (so does the end of input)";

    public KernelMachine Machine { get; } = machine;

    /// <summary>Whether the picture commands write their SVG file.</summary>
    public bool WritesPictures { get; } = writesPictures;

    /// <summary>The words of a command line (split at white space; none for a blank line).</summary>
    public static string[] Words(string line) => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private KernelHeap<MioOS.Memory.Heap.PmmHeapGrowth<VmmFrameMapper<SimulatedCpuPort, PmmPageTableFrames>>> Heap => Machine.Heap;

    private PhysicalMemoryManager Pmm => Machine.Paging.Pmm;

    private VirtualMemoryManager<SimulatedCpuPort, PmmPageTableFrames> Vmm => Machine.Paging.Vmm;

    /// <summary>Runs one command (<paramref name="words"/>: the name and its arguments).</summary>
    public ShellAnswer Execute(string[] words)
    {
        Spec spec = Specs.FirstOrDefault(s => s.Name == words[0])
            ?? throw new UsageException($"unknown command '{words[0]}' (try 'help')");
        string[] args = words[1..];
        if (args.Length < spec.Min)
            throw new UsageException($"'{spec.Name}' needs {(spec.Min == spec.Max ? "" : "at least ")}{Count(spec.Min, "argument")}: {spec.Usage}");
        if (args.Length > spec.Max)
            throw new UsageException($"'{spec.Name}' takes {(spec.Min == spec.Max ? "" : "at most ")}{Count(spec.Max, "argument")}, not {args.Length}: {spec.Usage}");
        ShellAnswer answer = spec.Run(this, args);
        answer.Json["command"] = string.Join(' ', words);
        answer.Json["ok"] = answer.Ok;
        return answer;
    }

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    private ulong Number(string[] a, int i, string what, ulong max = ulong.MaxValue) => Numbers.Parse(a[i], what, max);

    private uint U32(string[] a, int i, string what) => (uint)Number(a, i, what, uint.MaxValue);

    private static ShellAnswer Answer(bool ok, string text, JsonObject? json = null)
    {
        json ??= [];
        if (!ok)
            json["refused"] = text;
        return new ShellAnswer(ok, text, json);
    }

    private static PageFlags Flags(IEnumerable<string> words, out bool large)
    {
        var flags = PageFlags.Present | PageFlags.Writable;
        large = false;
        foreach (string w in words)
        {
            switch (w)
            {
                case "ro": flags &= ~PageFlags.Writable; break;
                case "user": flags |= PageFlags.User; break;
                case "4m": large = true; break;
                default: throw new UsageException($"'{w}' is not a page option (ro, user{(w.Length > 0 ? ", 4m" : "")})");
            }
        }
        return flags;
    }

    private ShellAnswer AllocFrame(string[] a)
    {
        uint n = U32(a, 0, "alloc_frame N");
        bool identity = false, high = false;
        uint align = 1;
        foreach (string w in a.Skip(1))
        {
            if (w == "identity") identity = true;
            else if (w == "high") high = true;
            else align = (uint)Number([w], 0, "alloc_frame ALIGN (frames)", uint.MaxValue);
        }
        var mapper = Machine.Paging.Mapper();
        PmmStatus st = Pmm.AllocFrames(n, high ? FrameRegion.High : FrameRegion.Low, align, identity, ref mapper, out PhysicalAddress p);
        if (st != PmmStatus.Ok)
            return Answer(false, $"alloc_frame {n}: refused: {st}", new JsonObject { ["status"] = st.ToString() });
        return Answer(true, $"{Fmt.Hex(p.Value)} ({Fmt.Count(n, "frame")}{(high ? ", high" : "")}{(identity ? ", identity-mapped" : "")})",
            new JsonObject { ["address"] = p.Value, ["frames"] = n, ["identityMapped"] = identity });
    }

    private ShellAnswer FreeFrame(string[] a)
    {
        ulong address = Number(a, 0, "free_frame ADDR");
        var mapper = Machine.Paging.Mapper();
        PmmStatus st = Pmm.FreeFrame(new PhysicalAddress(address), ref mapper);
        return Answer(st == PmmStatus.Ok, $"free_frame {Fmt.Hex(address)}: {(st == PmmStatus.Ok ? "ok" : $"refused: {st}")}", new JsonObject { ["status"] = st.ToString() });
    }

    private ShellAnswer AllocPage(string[] a, bool large)
    {
        uint virt = U32(a, 0, "VIRT");
        ulong phys = Number(a, 1, "PHYS");
        PageFlags flags = Flags(a.Skip(2), out bool big);
        if (big)
            throw new UsageException("'4m' goes with identity_map_region; use alloc_page_4mib for a 4 MiB page");
        VmmStatus st = large
            ? Vmm.AllocPage4MiB(new VirtualAddress(virt), new PhysicalAddress(phys), flags)
            : Vmm.AllocPage(new VirtualAddress(virt), new PhysicalAddress(phys), flags);
        string name = large ? "alloc_page_4mib" : "alloc_page";
        return Answer(st == VmmStatus.Ok, $"{name} {Fmt.Hex(virt)} -> {Fmt.Hex(phys)}: {(st == VmmStatus.Ok ? "ok" : $"refused: {st}")}", new JsonObject { ["status"] = st.ToString() });
    }

    private ShellAnswer IdentityMap(string[] a)
    {
        ulong start = Number(a, 0, "identity_map_region START"), end = Number(a, 1, "identity_map_region END");
        PageFlags flags = Flags(a.Skip(2), out bool large);
        VmmStatus st = Vmm.IdentityMapRegion(new PhysicalAddress(start), new PhysicalAddress(end), flags, large ? IdentityMapPolicy.BestFit : IdentityMapPolicy.Small);
        return Answer(st == VmmStatus.Ok, $"identity_map_region {Fmt.Hex(start)}-{Fmt.Hex(end)}: {(st == VmmStatus.Ok ? "ok" : $"refused: {st}")}", new JsonObject { ["status"] = st.ToString() });
    }

    private ShellAnswer FreePage(string[] a)
    {
        uint virt = U32(a, 0, "free_page VIRT");
        VmmStatus st = Vmm.FreePage(new VirtualAddress(virt));
        return Answer(st == VmmStatus.Ok, $"free_page {Fmt.Hex(virt)}: {(st == VmmStatus.Ok ? "ok" : $"refused: {st}")}", new JsonObject { ["status"] = st.ToString() });
    }

    private ShellAnswer Translate(string[] a)
    {
        uint virt = U32(a, 0, "translate VIRT");
        VmmStatus st = Vmm.VirtualToPhysical(new VirtualAddress(virt), out PhysicalAddress p);
        return st == VmmStatus.Ok
            ? Answer(true, $"{Fmt.Hex(virt)} -> {Fmt.Hex(p.Value)}", new JsonObject { ["virtual"] = virt, ["physical"] = p.Value })
            : Answer(true, $"{Fmt.Hex(virt)}: not mapped ({st})", new JsonObject { ["virtual"] = virt, ["mapped"] = false });
    }

    private ShellAnswer Query(string[] a)
    {
        uint virt = U32(a, 0, "query VIRT");
        PageInfo info = Vmm.Query(new VirtualAddress(virt));
        if (!info.IsMapped)
            return Answer(true, $"{Fmt.Hex(virt)}: not mapped", new JsonObject { ["virtual"] = virt, ["mapped"] = false });
        return Answer(true, $"{Fmt.Hex(virt)} -> {Fmt.Hex(info.Physical.Value)}, {VmmReport.SizeName(info.Size)} page, {VmmReport.FlagLetters(info.Flags)}",
            new JsonObject
            {
                ["virtual"] = virt, ["mapped"] = true, ["physical"] = info.Physical.Value, ["pageSize"] = VmmReport.SizeName(info.Size),
                ["flags"] = new JsonArray(VmmReport.FlagNames(info.Flags).Select(n => (JsonNode)n).ToArray()),
            });
    }

    private ShellAnswer Pointer(string what, uint pointer, HeapStatus status) =>
        pointer != 0
            ? Answer(true, Fmt.Hex(pointer), new JsonObject { ["pointer"] = pointer })
            : Answer(status == HeapStatus.Ok, $"{what}: refused: {status}", new JsonObject { ["pointer"] = 0, ["status"] = status.ToString() });

    private ShellAnswer Kfree(string[] a)
    {
        uint p = U32(a, 0, "kfree PTR");
        HeapStatus st = Heap.Kfree(p);
        return Answer(st == HeapStatus.Ok, $"kfree {Fmt.Hex(p)}: {(st == HeapStatus.Ok ? "ok" : $"refused: {st}")}", new JsonObject { ["status"] = st.ToString() });
    }

    private ShellAnswer Meminfo(string[] a)
    {
        foreach (string w in a)
            if (w is not ("-v" or "--verbose" or "--mmap"))
                throw new UsageException($"meminfo: '{w}' is not an option (-v, --mmap)");
        PmmStats s = Pmm.Stats;
        ulong usable = s.UsableFramesLow + s.UsableFramesHigh;
        var lines = new List<string>
        {
            $"usable {Fmt.Frames(usable)}, used {Fmt.Count(s.UsedFrames, "frame")}, free low {s.FreeFramesLow:N0} / high {s.FreeFramesHigh:N0}, {Fmt.Count(s.FreeExtents, "free extent")}",
        };
        var pc = Machine.Pc;
        if (a.Contains("-v") || a.Contains("--verbose"))
        {
            lines.Add($"  kernel image {Fmt.Hex(pc.Layout.KernelBase)}-{Fmt.Hex(pc.Layout.KernelEnd)}");
            lines.Add($"  kernel heap  {Fmt.Hex(pc.Layout.HeapStart)}-{Fmt.Hex(pc.Layout.HeapEnd)}");
            lines.Add($"  PMM metadata {Fmt.Hex(s.MetadataBase)}-{Fmt.Hex(s.MetadataBase + s.MetadataLength)}");
        }
        if (a.Contains("--mmap"))
            foreach (var e in pc.Map)
                lines.Add($"  {Fmt.Hex(e.Base)}-{Fmt.Hex(e.Base + e.Length)} {ReportNames.Of(e.Kind)}");
        return Answer(true, string.Join("\n", lines), MachineReport.Pmm(pc));
    }

    private ShellAnswer Heapinfo()
    {
        HeapStats s = Heap.Stats();
        return Answer(true, $"heap {Fmt.Hex(s.Start)} +{Fmt.Bytes(s.SizeBytes)}: used {s.UsedBytes:N0} bytes in {Fmt.Count(s.Blocks, "block")}, free {s.FreeBytes:N0} in {Fmt.Count(s.FreeBlocks, "block")}, largest {s.LargestFree:N0}, {Fmt.Count(s.Segments, "segment")}",
            HeapReport.Full(s));
    }

    private ShellAnswer Pagemap()
    {
        var ranges = Machine.Paging.PageMap();
        return Answer(true, string.Join("\n", ranges.Select(r => $"{Fmt.Hex(r.Virtual)}-{Fmt.Hex(r.Virtual + r.Length - 1)} -> {Fmt.Hex(r.Physical)} {Fmt.Bytes(r.Length)} {VmmReport.SizeName(r.Size)} {VmmReport.FlagLetters(r.Flags)}")),
            new JsonObject
            {
                ["ranges"] = new JsonArray(ranges.Select(r => (JsonNode)new JsonObject
                {
                    ["virtual"] = r.Virtual, ["physical"] = r.Physical, ["length"] = r.Length, ["pageSize"] = VmmReport.SizeName(r.Size),
                    ["flags"] = new JsonArray(VmmReport.FlagNames(r.Flags).Select(n => (JsonNode)n).ToArray()),
                }).ToArray()),
            });
    }

    private ShellAnswer Check()
    {
        PmmIntegrity p = Pmm.CheckIntegrity();
        HeapCheck h = Heap.CheckIntegrity();
        string heap = h.IsOk ? "ok" : $"{h.Status} at {Fmt.Hex(h.Address)}";
        return Answer(p.IsOk && h.IsOk, $"integrity: pmm {MachineReport.Integrity(p)}, heap {heap}",
            new JsonObject { ["pmm"] = MachineReport.Integrity(p), ["heap"] = heap });
    }

    private ShellAnswer Heapmap(string[] a)
    {
        uint next = a.Length > 1 ? U32(a, 1, "heapmap SIZE") : 0;
        return Picture(a[0], "heapmap", new JsonObject { ["next"] = next }, () => HeapMapSvg.Render(Heap, next, Machine.Pc.Config.Description));
    }

    private ShellAnswer Pagetables(string[] a)
    {
        uint? slot = a.Length > 1 ? (uint)Number(a, 1, "pagetables SLOT", 1023) : null;
        return Picture(a[0], "pagetables", slot is uint s ? new JsonObject { ["slot"] = s } : [], () => PageTablesSvg.Render(Machine.Paging, slot));
    }

    private ShellAnswer Picture(string path, string picture, JsonObject json, Func<string> render)
    {
        if (!path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"'{path}': the picture is SVG; give a file name ending in .svg");
        json["picture"] = picture;
        if (!WritesPictures)
            return Answer(true, $"{picture}: drawn on the page (no file is written here)", json);
        File.WriteAllText(path, render());
        json["file"] = Path.GetFullPath(path);
        return Answer(true, $"wrote {path}", json);
    }
}
