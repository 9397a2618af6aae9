using MioOS.Memory.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// A growth source for tests that gives ranges of exactly the size asked, up to <see cref="Ranges.MaxBytes"/> (a
/// larger ask is refused, so the heap falls back to the least that fits), one after another from
/// <see cref="Ranges.Next"/> with a frame's gap between them (so no two segments touch). Released ranges are counted.
/// The heap copies its growth source, so the state lives in a shared object.
/// </summary>
internal readonly struct SteppedGrowth : IHeapGrowth
{
    public sealed class Ranges
    {
        public uint Next;
        public uint Limit;
        public uint MaxBytes = HeapLayout.GrowthStep;
        public int Released;
    }

    private readonly Ranges _ranges;

    public SteppedGrowth(Ranges ranges) => _ranges = ranges;

    public bool TryGrow(uint minBytes, out uint start, out uint length)
    {
        start = length = 0;
        if (minBytes > _ranges.MaxBytes || (ulong)_ranges.Next + minBytes > _ranges.Limit)
            return false;
        start = _ranges.Next;
        length = minBytes;
        _ranges.Next += minBytes + 4096;
        return true;
    }

    public void Release(uint start, uint length) => _ranges.Released++;
}
