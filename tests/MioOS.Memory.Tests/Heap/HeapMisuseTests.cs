using System;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;

namespace MioOS.Memory.Tests.Heap;

/// <summary>Every misuse is refused, reported with kind and address, counted; the heap and the other blocks' contents survive.</summary>
public class HeapMisuseTests : IDisposable
{
    private readonly HostedHeap _heap = new(64UL << 20);
    private readonly uint _a, _b, _c;

    public HeapMisuseTests()
    {
        _a = Filled(100, 0xA1);
        _b = Filled(200, 0xB2);
        _c = Filled(300, 0xC3);
    }

    public void Dispose() => _heap.Dispose();

    private uint Filled(uint size, byte value)
    {
        uint p = _heap.Kmalloc(size);
        _heap.Bytes(p, (int)size).Fill(value);
        return p;
    }

    private void AssertIntact(uint p, uint size, byte value)
    {
        foreach (byte b in _heap.Bytes(p, (int)size))
            Assert.Equal(value, b);
    }

    private void AssertHeapStillWorks()
    {
        uint p = _heap.Kmalloc(64);
        Assert.NotEqual(0u, p);
        _heap.Kfree(p);
    }

    private HeapMisuseException Refused(Action call, HeapStatus kind, uint address)
    {
        uint before = _heap.Stats().MisuseCount;
        var e = Assert.Throws<HeapMisuseException>(call);
        Assert.Equal(kind, e.Kind);
        Assert.Equal(address, e.Address);
        Assert.Contains($"0x{address:X8}", e.Message);
        HeapStats s = _heap.Stats();
        Assert.True(s.MisuseCount > before);
        Assert.Equal(kind, s.LastMisuse);
        Assert.Equal(address, s.LastMisuseAddress);
        return e;
    }

    [Fact]
    public void Double_free_is_refused()
    {
        _heap.Kfree(_b);
        Refused(() => _heap.Kfree(_b), HeapStatus.DoubleFree, _b);
        Assert.True(_heap.CheckIntegrity().IsOk);
        AssertIntact(_a, 100, 0xA1);
        AssertIntact(_c, 300, 0xC3);
        AssertHeapStillWorks();
    }

    [Fact]
    public void Double_free_is_refused_after_the_block_was_merged_into_its_free_neighbour()
    {
        _heap.Kfree(_a);
        _heap.Kfree(_b); // merges into a's free block
        Refused(() => _heap.Kfree(_b), HeapStatus.DoubleFree, _b);
        Assert.True(_heap.CheckIntegrity().IsOk);
        AssertIntact(_c, 300, 0xC3);
    }

    [Fact]
    public void Interior_pointer_is_refused()
    {
        Refused(() => _heap.Kfree(_b + 16), HeapStatus.NotABlockStart, _b + 16);
        Refused(() => _heap.Krealloc(_b + 40, 10), HeapStatus.NotABlockStart, _b + 40);
        Assert.True(_heap.CheckIntegrity().IsOk);
        AssertIntact(_b, 200, 0xB2);
        AssertHeapStillWorks();
    }

    [Fact]
    public void Foreign_and_misaligned_pointers_are_refused()
    {
        Refused(() => _heap.Kfree(0x100000), HeapStatus.ForeignPointer, 0x100000);
        Refused(() => _heap.Kfree(0xFFFF_FFF0), HeapStatus.ForeignPointer, 0xFFFF_FFF0);
        Refused(() => _heap.Kfree(HostedHeap.DefaultStart + 8), HeapStatus.ForeignPointer, HostedHeap.DefaultStart + 8);
        Refused(() => _heap.Kfree(_b + 3), HeapStatus.MisalignedPointer, _b + 3);
        Assert.True(_heap.CheckIntegrity().IsOk);
        AssertIntact(_a, 100, 0xA1);
        AssertIntact(_b, 200, 0xB2);
        AssertIntact(_c, 300, 0xC3);
        Assert.Equal(4u, _heap.Stats().MisuseCount);
    }

    [Fact]
    public void Overrun_into_the_next_header_is_caught_when_that_block_is_freed()
    {
        uint usable = _heap.Core.UsableSize(_a);
        _heap.Bytes(_a, (int)usable + 4).Fill(0xEE); // runs 4 bytes into b's header
        Assert.Equal(HeapStatus.HeaderCorrupted, _heap.CheckIntegrity().Status);
        Assert.Equal(_b - 8, _heap.CheckIntegrity().Address);
        Refused(() => _heap.Kfree(_b), HeapStatus.HeaderCorrupted, _b - 8);
        AssertIntact(_c, 300, 0xC3);
        AssertHeapStillWorks();
        // a can still be freed: its next neighbour (b, damaged) is not in the free tree, so it is not merged.
        uint reports = _heap.Stats().MisuseCount;
        _heap.Kfree(_a);
        Assert.Equal(reports + 1, _heap.Stats().MisuseCount); // b's header reported again, as it was touched
        AssertIntact(_c, 300, 0xC3);
    }

    [Fact]
    public void Overrun_into_a_free_neighbour_is_caught_and_repaired_from_the_free_tree()
    {
        _heap.Kfree(_b);
        uint usable = _heap.Core.UsableSize(_a);
        _heap.Bytes(_a, (int)usable + 8).Fill(0x00);
        Assert.Equal(HeapStatus.HeaderCorrupted, _heap.CheckIntegrity().Status);
        _heap.Kfree(_a); // merges with b's free block, whose header is rebuilt from its trusted copy
        HeapStats s = _heap.Stats();
        Assert.Equal(HeapStatus.HeaderCorrupted, s.LastMisuse);
        Assert.Equal(_b - 8, s.LastMisuseAddress);
        Assert.True(_heap.CheckIntegrity().IsOk);
        AssertIntact(_c, 300, 0xC3);
    }

    [Fact]
    public void Damaged_free_header_found_by_kmalloc_is_reported_and_repaired()
    {
        _heap.Kfree(_b);
        _heap.Bytes(_b - 8, 8).Fill(0x55);
        uint p = _heap.Kmalloc(150); // first fit is b's block
        Assert.Equal(_b, p);
        Assert.Equal(HeapStatus.HeaderCorrupted, _heap.Stats().LastMisuse);
        Assert.True(_heap.CheckIntegrity().IsOk);
        AssertIntact(_a, 100, 0xA1);
        AssertIntact(_c, 300, 0xC3);
    }

    [Fact]
    public void Core_reports_status_without_exceptions()
    {
        KernelHeap<ArenaHeapGrowth> core = _heap.Core;
        Assert.Equal(HeapStatus.Ok, core.Kfree(_a));
        Assert.Equal(HeapStatus.DoubleFree, core.Kfree(_a));
        Assert.Equal(HeapStatus.NotABlockStart, core.Kfree(_c + 8));
        Assert.Equal(0u, core.Krealloc(_c + 8, 10, out HeapStatus status));
        Assert.Equal(HeapStatus.NotABlockStart, status);
        Assert.Equal(HeapStatus.Ok, core.Kfree(0));
        Assert.Equal(0u, core.KmallocAligned(10, 24, out status));
        Assert.Equal(HeapStatus.InvalidAlignment, status);
        Assert.Equal(3u, core.Stats().MisuseCount);
    }
}
