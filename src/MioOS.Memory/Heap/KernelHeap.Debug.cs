using MioOS.Memory.Platform;

namespace MioOS.Memory.Heap;

// HeapOptions.Debug: the tail canary of every used block and the poison over every free block's payload.
public readonly unsafe partial struct KernelHeap<TGrowth>
{
    private static bool IsDebug(ref HeapControl c) => (c.Options & (uint)HeapOptions.Debug) != 0;

    /// <summary>Writes the size asked for in the last word of the used block at <paramref name="block"/> and the canary
    /// between the payload's end and that word.</summary>
    private void ArmCanary(uint block, uint request)
    {
        uint end = block + (_window.Read<uint>(block) & ~HeapLayout.FlagMask) - 4;
        Fill(block + HeapLayout.HeaderSize + request, end, HeapLayout.CanaryByte);
        _window.Write(end, request);
    }

    /// <summary>The size asked for of the used block at <paramref name="block"/> (header word <paramref name="word"/>),
    /// or <see cref="uint.MaxValue"/> when its size word cannot be one (an overrun reached it).</summary>
    private uint RequestSize(uint block, uint word)
    {
        uint size = word & ~HeapLayout.FlagMask;
        uint request = _window.Read<uint>(block + size - 4);
        return request == 0 || request > size - HeapLayout.HeaderSize - HeapLayout.DebugTrailer ? uint.MaxValue : request;
    }

    private uint UsableDebugSize(uint block, uint word)
    {
        uint request = RequestSize(block, word);
        return request == uint.MaxValue ? 0 : request;
    }

    /// <summary>True when the used block's size word is plausible and every canary byte is intact.</summary>
    private bool CanaryHolds(uint block, uint word)
    {
        uint request = RequestSize(block, word);
        return request != uint.MaxValue
            && Holds(block + HeapLayout.HeaderSize + request, block + (word & ~HeapLayout.FlagMask) - 4, HeapLayout.CanaryByte);
    }

    /// <summary>Poisons [<paramref name="from"/>, <paramref name="to"/>) of free memory.</summary>
    private void Poison(uint from, uint to) => Fill(from, to, HeapLayout.PoisonByte);

    /// <summary>Checks the poison of the free block at <paramref name="block"/> (<paramref name="size"/> bytes) over
    /// [<paramref name="from"/>, <paramref name="to"/>), the part of it about to be handed out or overwritten, and
    /// reports a write after free at the block. Its links and header copy are not poison (the tree vouches for those).</summary>
    private void CheckPoison(ref HeapControl c, uint block, uint size, uint from, uint to)
    {
        if (from < block + HeapLayout.PoisonOffset)
            from = block + HeapLayout.PoisonOffset;
        if (to > block + size)
            to = block + size;
        if (from < to && !Holds(from, to, HeapLayout.PoisonByte))
            Report(ref c, HeapStatus.WriteAfterFree, block);
    }

    /// <summary>Fills [<paramref name="from"/>, <paramref name="to"/>) a page-piece at a time (a checked window sees each page).</summary>
    private void Fill(uint from, uint to, byte value)
    {
        while (from < to)
        {
            uint chunk = Chunk(from, to);
            new System.Span<byte>(_window.Bytes(from, chunk, MemoryAccess.Write), (int)chunk).Fill(value);
            from += chunk;
        }
    }

    /// <summary>True when every byte of [<paramref name="from"/>, <paramref name="to"/>) is <paramref name="value"/>.</summary>
    private bool Holds(uint from, uint to, byte value)
    {
        while (from < to)
        {
            uint chunk = Chunk(from, to);
            byte* p = _window.Bytes(from, chunk, MemoryAccess.Read);
            for (uint i = 0; i < chunk; i++)
                if (p[i] != value)
                    return false;
            from += chunk;
        }
        return true;
    }

    private static uint Chunk(uint from, uint to)
    {
        uint chunk = Frames.Size - (from & (Frames.Size - 1));
        return to - from < chunk ? to - from : chunk;
    }
}
