using MioOS.Memory.Physical;

namespace MioOS.Memory.Tests.Physical;

/// <summary>
/// The reference: the spec's PMM written as plainly as possible. Free extents in address-ordered lists (one per
/// region), walked from the head on every call; allocations in a dictionary. The PMM must give exactly the same
/// answers for the same calls.
/// </summary>
internal sealed class PmmModel
{
    private readonly List<(ulong Start, ulong Frames)>[] _free = [[], []];
    private readonly SortedDictionary<ulong, (ulong Frames, FrameRegion Region)> _allocated = [];
    private readonly List<(ulong Base, ulong Length)> _reserved = [];
    private readonly Queue<ulong> _recentFrees = new();

    /// <summary>How many frees the PMM's contract says it remembers to tell a double free.</summary>
    private const int RememberedFrees = 16;

    /// <summary>Starts from the PMM's initial free extents.</summary>
    public PmmModel(PhysicalMemoryManager pmm)
    {
        foreach (FrameRegion region in new[] { FrameRegion.Low, FrameRegion.High })
        {
            ExtentCursor cursor = pmm.FreeExtents(region);
            while (cursor.Next(out var start, out uint frames))
                _free[(int)region].Add((start.Value, frames));
        }
        for (uint i = 0; i < pmm.ReservedCount; i++)
            _reserved.Add((pmm.Reserved(i).Base, pmm.Reserved(i).Length));
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
