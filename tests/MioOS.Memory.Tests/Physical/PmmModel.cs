using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Tests.Support;

namespace MioOS.Memory.Tests.Physical;

/// <summary>
/// What the model starts from. Everything but the metadata is known without the PMM: the usable frames of the
/// firmware's map (<see cref="E820Reference"/>), the kernel image, and where the loader put its data. Where the
/// metadata goes is the PMM's choice: its place and length come from the PMM's stats. All high memory is tracked,
/// unless the PMM says its metadata budget could not cover it (a server map): then the lowest high frames are,
/// as many as it reports (<see cref="HighFramesTracked"/>, <see cref="ulong.MaxValue"/> for all).
/// </summary>
internal sealed record PmmSeed(
    IReadOnlyList<(UInt128 Start, UInt128 End)> Usable,
    ulong KernelBase,
    ulong KernelEnd,
    IReadOnlyList<(ulong Start, ulong End)> LoaderData,
    ulong MetadataBase,
    ulong MetadataLength,
    ulong HighFramesTracked)
{
    /// <summary>The seed of a booted simulated PC. <paramref name="mapFile"/>: the e820 text it was booted from
    /// (read again here); without it, the raw map its firmware handed the loader.</summary>
    public static PmmSeed Of(SimulatedPc pc, string? mapFile = null)
    {
        Assert.Null(pc.Config.Capture); // a captured boot's loader data is elsewhere
        var usable = mapFile is null ? E820Reference.UsableRuns(pc.Config.MemoryMap) : E820Reference.UsableRuns(mapFile);
        PmmStats stats = pc.Pmm.Stats;
        // The loader writes its info block, strings and modules from the kernel image's end up (and the multiboot1
        // info struct and map below 1 MiB, which the PMM never hands out anyway).
        var loader = new List<(ulong, ulong)> { (pc.Config.Layout.KernelEnd, pc.Handoff.End) };
        return new PmmSeed(usable, pc.Config.Layout.KernelBase, pc.Config.Layout.KernelEnd, loader,
            stats.MetadataBase, stats.MetadataLength, stats.UntrackedFramesHigh == 0 ? ulong.MaxValue : stats.UsableFramesHigh);
    }
}

/// <summary>
/// The reference: the spec's PMM written as plainly as possible. Free extents in address-ordered lists (one per
/// region), walked from the head on every call; allocations in a dictionary. The PMM must give exactly the same
/// answers for the same calls.
/// </summary>
internal sealed class PmmModel
{
    private const ulong Frame = 4096;
    private const ulong OneMiB = 1ul << 20;
    private const ulong FourGiB = 1ul << 32;

    /// <summary>Frame numbers are 32-bit: memory from 16 TiB up is not tracked.</summary>
    private const ulong TrackedLimit = (1ul << 32) * Frame;

    /// <summary>The heap sits at kernel base + 0x100000 and is 3 MiB at first (spec section 3).</summary>
    private const ulong HeapOffset = 0x100000, HeapSize = 3 * OneMiB;

    private readonly List<(ulong Start, ulong Frames)>[] _free = [[], []];
    private readonly SortedDictionary<ulong, (ulong Frames, FrameRegion Region)> _allocated = [];
    private readonly List<(ulong Base, ulong Length)> _reserved = [];
    private readonly Queue<ulong> _recentFrees = new();

    /// <summary>How many frees the PMM's contract says it remembers to tell a double free.</summary>
    private const int RememberedFrees = 16;

    /// <summary>
    /// Builds the initial free extents from first principles: usable frames of the firmware's map; the low region
    /// from the kernel base (never below 1 MiB: BIOS, EBDA, VGA) to 4 GiB, the high region from 4 GiB; less the
    /// kernel image, the heap area, the metadata and the loader's data, each rounded out to whole frames.
    /// </summary>
    public PmmModel(PmmSeed seed)
    {
        var reserved = new List<(ulong Start, ulong End)>
        {
            (seed.KernelBase, seed.KernelEnd),
            (seed.KernelBase + HeapOffset, seed.KernelBase + HeapOffset + HeapSize),
            (seed.MetadataBase, seed.MetadataBase + seed.MetadataLength),
        };
        reserved.AddRange(seed.LoaderData);
        reserved = reserved.Where(r => r.End > r.Start)
            .Select(r => (r.Start / Frame * Frame, (r.End + Frame - 1) / Frame * Frame))
            .OrderBy(r => r.Item1).ToList();
        _reserved.AddRange(reserved.Select(r => (r.Start, r.End - r.Start)));

        ulong lowStart = Math.Max(seed.KernelBase, OneMiB);
        ulong highLeft = seed.HighFramesTracked;
        foreach (var (runStart, runEnd) in seed.Usable)
        {
            AddFree(FrameRegion.Low, Clip(runStart, lowStart, FourGiB), Clip(runEnd, lowStart, FourGiB), reserved, ref highLeft);
            AddFree(FrameRegion.High, Clip(runStart, FourGiB, TrackedLimit), Clip(runEnd, FourGiB, TrackedLimit), reserved, ref highLeft);
        }
    }

    private static ulong Clip(UInt128 value, ulong low, ulong high) =>
        value < low ? low : value > high ? high : (ulong)value;

    /// <summary>Adds what of [start, end) no reserved range covers; high memory only as far as it is tracked.</summary>
    private void AddFree(FrameRegion region, ulong start, ulong end, List<(ulong Start, ulong End)> reserved, ref ulong highLeft)
    {
        ulong cursor = start;
        foreach (var (rStart, rEnd) in reserved.Append((end, end)))
        {
            if (cursor >= end)
                break;
            if (rEnd <= cursor)
                continue;
            ulong stop = Math.Min(rStart, end);
            if (stop > cursor)
            {
                ulong frames = (stop - cursor) / Frame;
                if (region == FrameRegion.High)
                {
                    frames = Math.Min(frames, highLeft);
                    highLeft -= frames;
                }
                if (frames > 0)
                    _free[(int)region].Add((cursor, frames));
            }
            cursor = Math.Max(cursor, rEnd);
        }
    }

    public IReadOnlyList<(ulong Start, ulong Frames)> Free(FrameRegion region) => _free[(int)region];

    public IEnumerable<(ulong Start, ulong Frames)> Allocations => _allocated.Select(a => (a.Key, a.Value.Frames));

    public ulong FreeFrames(FrameRegion region) => (ulong)_free[(int)region].Sum(e => (decimal)e.Frames);

    public PmmStatus Alloc(uint count, FrameRegion region, uint alignment, out ulong address)
    {
        address = 0;
        if (count == 0)
            return PmmStatus.ZeroFrames;
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
            return PmmStatus.BadAlignment;
        if (count > FreeFrames(region))
            return PmmStatus.OutOfMemory;
        var list = _free[(int)region];
        ulong alignBytes = (ulong)alignment * 4096;
        for (int i = 0; i < list.Count; i++)
        {
            var (start, frames) = list[i];
            ulong aligned = (start + alignBytes - 1) / alignBytes * alignBytes;
            ulong end = start + frames * 4096;
            ulong runEnd = aligned + (ulong)count * 4096;
            if (runEnd > end)
                continue;
            list.RemoveAt(i);
            if (runEnd < end)
                list.Insert(i, (runEnd, (end - runEnd) / 4096));
            if (aligned > start)
                list.Insert(i, (start, (aligned - start) / 4096));
            _allocated[aligned] = (count, region);
            address = aligned;
            return PmmStatus.Ok;
        }
        return PmmStatus.NoContiguousRun;
    }

    public PmmStatus Free(ulong address)
    {
        if (address % 4096 != 0)
            return PmmStatus.Misaligned;
        if (!_allocated.TryGetValue(address, out var a))
        {
            if (_allocated.Any(x => x.Key < address && address < x.Key + x.Value.Frames * 4096))
                return PmmStatus.NotAllocationStart;
            if (_reserved.Any(r => r.Base <= address && address - r.Base < r.Length))
                return PmmStatus.ReservedMemory;
            return address != 0 && _recentFrees.Contains(address) ? PmmStatus.AlreadyFree : PmmStatus.NotAllocated;
        }
        _allocated.Remove(address);
        _recentFrees.Enqueue(address);
        if (_recentFrees.Count > RememberedFrees)
            _recentFrees.Dequeue();
        var list = _free[(int)a.Region];
        int at = list.FindIndex(f => f.Start > address);
        if (at < 0)
            at = list.Count;
        list.Insert(at, (address, a.Frames));
        // Merge with the neighbour after, then the one before.
        if (at + 1 < list.Count && list[at].Start + list[at].Frames * 4096 == list[at + 1].Start)
        {
            list[at] = (list[at].Start, list[at].Frames + list[at + 1].Frames);
            list.RemoveAt(at + 1);
        }
        if (at > 0 && list[at - 1].Start + list[at - 1].Frames * 4096 == list[at].Start)
        {
            list[at - 1] = (list[at - 1].Start, list[at - 1].Frames + list[at].Frames);
            list.RemoveAt(at);
        }
        return PmmStatus.Ok;
    }
}
