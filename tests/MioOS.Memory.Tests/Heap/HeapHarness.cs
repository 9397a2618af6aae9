using System;
using System.Collections.Generic;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>One step of a random call sequence. <c>Pick</c> chooses a live block (modulo their count).</summary>
public readonly record struct HeapOp(HeapOpKind Kind, uint A, uint B, int Pick)
{
    public override string ToString() => $"{Kind}({A}, {B}, #{Pick})";
}

public enum HeapOpKind { Malloc, Calloc, Realloc, Free, Aligned }

/// <summary>
/// Runs the same calls on the heap (cross-check switch on) and on the first-fit model, and after every step
/// checks: identical addresses and nulls, identical counters, the integrity walk, live contents.
/// </summary>
internal sealed class HeapHarness : IDisposable
{
    private sealed record Live(uint Pointer, uint Size, byte Seed);

    public readonly HostedHeap Heap;
    public readonly FirstFitModel Model;
    private readonly List<Live> _live = new();
    private byte _seed;

    public HeapHarness(uint initialSize = 64 * 1024, uint growthBytes = 4 * 1024 * 1024, ulong ram = 32UL << 20,
        uint granule = FirstFitModel.KernelGranule)
    {
        uint growthStart = HostedHeap.DefaultStart + initialSize + 0x100000;
        uint limit = growthStart + growthBytes;
        Heap = new HostedHeap(ram, HeapOptions.CrossCheck, limit, HostedHeap.DefaultStart, initialSize, granule);
        Model = new FirstFitModel(HostedHeap.DefaultStart, initialSize, new ModelGrowth(growthStart, limit), granule);
        Verify("create");
    }

    public int LiveCount => _live.Count;

    public void Apply(HeapOp op)
    {
        switch (op.Kind)
        {
            case HeapOpKind.Malloc:
                Added(Heap.Kmalloc(op.A), Model.Malloc(op.A), op.A, op);
                break;
            case HeapOpKind.Calloc:
            {
                uint p = Heap.Kcalloc(op.A, op.B);
                uint m = Model.Calloc(op.A, op.B);
                if (p != 0)
                {
                    foreach (byte b in Heap.Bytes(p, (int)(op.A * op.B)))
                        Assert.Equal(0, b);
                }
                Added(p, m, op.A * op.B, op);
                break;
            }
            case HeapOpKind.Aligned:
            {
                uint alignment = 1u << (int)(op.B % 14);
                uint p = Heap.KmallocAligned(op.A, alignment);
                uint m = Model.Aligned(op.A, alignment);
                if (p != 0)
                    Assert.Equal(0u, p % alignment);
                Added(p, m, op.A, op);
                break;
            }
            case HeapOpKind.Free:
                if (_live.Count == 0)
                    break;
                {
                    int i = op.Pick % _live.Count;
                    Live l = _live[i];
                    CheckContents(l);
                    Heap.Kfree(l.Pointer);
                    Model.Free(l.Pointer);
                    _live.RemoveAt(i);
                }
                break;
            case HeapOpKind.Realloc:
                if (_live.Count == 0 || op.Pick % 5 == 0)
                {
                    Added(Heap.Krealloc(0, op.A), Model.Realloc(0, op.A), op.A, op);
                    break;
                }
                {
                    int i = op.Pick % _live.Count;
                    Live l = _live[i];
                    CheckContents(l);
                    uint p = Heap.Krealloc(l.Pointer, op.A);
                    uint m = Model.Realloc(l.Pointer, op.A);
                    Assert.True(p == m, $"{op}: krealloc heap 0x{p:X} model 0x{m:X}");
                    if (op.A == 0)
                    {
                        _live.RemoveAt(i);
                    }
                    else if (p != 0)
                    {
                        // The old contents survive up to the smaller size.
                        var kept = l with { Pointer = p, Size = Math.Min(l.Size, op.A) };
                        CheckContents(kept);
                        _live[i] = Fill(p, op.A);
                    }
                    else
                    {
                        CheckContents(l); // failed: the old block is untouched
                    }
                }
                break;
        }
        Verify(op.ToString());
    }

    private void Added(uint p, uint m, uint size, HeapOp op)
    {
        Assert.True(p == m, $"{op}: heap 0x{p:X} model 0x{m:X}");
        if (p != 0)
        {
            Assert.Equal(0u, p % Model.Granule);
            _live.Add(Fill(p, size));
        }
    }

    private Live Fill(uint pointer, uint size)
    {
        byte seed = ++_seed;
        Span<byte> bytes = Heap.Bytes(pointer, (int)size);
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)(seed + i * 7);
        return new Live(pointer, size, seed);
    }

    private void CheckContents(Live l)
    {
        Span<byte> bytes = Heap.Bytes(l.Pointer, (int)l.Size);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != (byte)(l.Seed + i * 7))
                Assert.Fail($"block 0x{l.Pointer:X} ({l.Size} bytes) changed at +{i}");
        }
    }

    public void CheckAllContents()
    {
        foreach (Live l in _live)
            CheckContents(l);
    }

    public void Verify(string step)
    {
        HeapCheck check = Heap.CheckIntegrity();
        Assert.True(check.IsOk, $"after {step}: integrity {check.Status} at 0x{check.Address:X}");
        HeapStats s = Heap.Stats();
        Assert.Equal(0u, s.CrossCheckFailures);
        Assert.Equal(0u, s.MisuseCount);
        Assert.Equal(Model.UsedBytes, s.UsedBytes);
        Assert.Equal(Model.FreeBytes, s.FreeBytes);
        Assert.Equal((uint)Model.UsedBlocks, s.Blocks);
        Assert.Equal((uint)Model.FreeBlocks, s.FreeBlocks);
        Assert.Equal(Model.LargestFree, s.LargestFree);
        Assert.Equal((uint)Model.Segments.Count, s.Segments);
        Assert.Equal(Model.SpareBytes, s.SpareBytes);
        Assert.Equal(Model.Extent(), s.InUseExtent);
        Assert.Equal(Model.PeakExtent, s.PeakInUseExtent);
    }

    /// <summary>Frees everything still live (checking contents first).</summary>
    public void FreeAll()
    {
        foreach (Live l in _live)
        {
            CheckContents(l);
            Heap.Kfree(l.Pointer);
            Model.Free(l.Pointer);
            Verify($"free 0x{l.Pointer:X}");
        }
        _live.Clear();
    }

    public void Dispose() => Heap.Dispose();
}
