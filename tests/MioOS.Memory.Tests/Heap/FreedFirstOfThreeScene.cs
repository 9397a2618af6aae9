using System.Runtime.InteropServices;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>
/// A hosted heap with three 24-byte allocations a, b, c (32-byte blocks: 8 bytes of header and 24 of payload) at the
/// start of the initial segment, then a freed: the segment holds a (free, 32), b (used, 32), c (used, 32) and the free
/// tail. The tests that damage a heap by hand (the integrity walk's refusals, kfree's and krealloc's) start here.
/// </summary>
internal sealed unsafe class FreedFirstOfThreeScene : System.IDisposable
{
    public readonly HostedHeap Heap = new(32UL << 20);
    public readonly uint A, B, C; // block addresses (the pointer less the 8-byte header)

    public FreedFirstOfThreeScene()
    {
        A = Heap.Kmalloc(24) - 8;
        B = Heap.Kmalloc(24) - 8;
        C = Heap.Kmalloc(24) - 8;
        Heap.Kfree(A + 8);
    }

    /// <summary>The control block at the heap's start.</summary>
    public ref HeapControl Control =>
        ref MemoryMarshal.AsRef<HeapControl>(Heap.Bytes(Heap.Core.Start, sizeof(HeapControl)));

    /// <summary>The initial segment's start, right after the control block.</summary>
    public uint SegmentStart => Heap.Core.Start + HeapLayout.ControlBlockSize;

    /// <summary>The header word of <paramref name="block"/>.</summary>
    public uint Word(uint block) => MemoryMarshal.Read<uint>(Heap.Bytes(block, 4));

    /// <summary>Writes a header with a check word that matches it, as the heap itself would.</summary>
    public void Forge(uint block, uint word)
    {
        MemoryMarshal.Write(Heap.Bytes(block, 4), in word);
        uint check = HeapLayout.CheckWord(block, word, Control.Secret);
        MemoryMarshal.Write(Heap.Bytes(block + 4, 4), in check);
    }

    public HeapCheck Check() => Heap.CheckIntegrity();

    public void Dispose() => Heap.Dispose();
}
