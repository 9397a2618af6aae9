namespace MioOS.Memory.Heap;

/// <summary>
/// Where the heap gets more memory when nothing fits: on the kernel, PMM frames identity-mapped by the VMM;
/// hosted, a range of the simulated RAM. Implemented by a struct so the heap is specialised for it; its state
/// lives in memory, not in the struct (the struct is a handle).
/// </summary>
public interface IHeapGrowth
{
    /// <summary>Gives at least <paramref name="minBytes"/> (a multiple of 4 KiB) of identity-mapped, writable
    /// memory not used by anyone else, or returns false.</summary>
    bool TryGrow(uint minBytes, out uint start, out uint length);

    /// <summary>Takes back a range that <see cref="TryGrow"/> gave, whole.</summary>
    void Release(uint start, uint length);
}

/// <summary>A growth source that never grows: the heap stays within its initial segment.</summary>
public struct NoGrowth : IHeapGrowth
{
    /// <inheritdoc/>
    public bool TryGrow(uint minBytes, out uint start, out uint length)
    {
        start = 0;
        length = 0;
        return false;
    }

    /// <inheritdoc/>
    public void Release(uint start, uint length)
    {
    }
}
