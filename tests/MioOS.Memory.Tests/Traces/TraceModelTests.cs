using System;
using System.IO;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Heap;
using MioOS.Memory.Hosting.Traces;
using MioOS.Memory.Tests.Heap;

namespace MioOS.Memory.Tests.Traces;

/// <summary>The start of each real trace on the heap (cross-check on) and on the plain first-fit model: the
/// same address for every call.</summary>
public class TraceModelTests
{
    [Theory]
    [InlineData("cmake-configure.trace.gz", 25_000)]
    [InlineData("gcc-cc1-O2.trace.gz", 25_000)]
    [InlineData("perl-wordfreq.trace.gz", 25_000)]
    [InlineData("git-log-p.trace.gz", 25_000)]
    [InlineData("python3-json.trace.gz", 25_000)]
    [InlineData("sqlite3.trace.gz", 25_000)]
    public void Real_trace_prefix_gets_the_models_addresses(string name, int count)
    {
        TraceEvent[] events = TraceParser.ParseFile(Path.Combine(AppContext.BaseDirectory, "data", "traces", name));
        const uint start = HostedHeap.DefaultStart, size = 256 * 1024; // small, so the prefix also grows the heap
        uint growthStart = start + size + 0x100000;
        using var heap = new HostedHeap(256UL << 20, HeapOptions.CrossCheck, 0, start, size);
        var model = new FirstFitModel(start, size, new ModelGrowth(growthStart, (uint)heap.Ram.Size));
        var pointers = new uint[events.Length + 1];
        for (int i = 0; i < Math.Min(count, events.Length); i++)
        {
            TraceEvent e = events[i];
            uint p, m;
            switch (e.Kind)
            {
                case TraceEventKind.Malloc:
                    (p, m) = (heap.Kmalloc(e.Size), model.Malloc(e.Size));
                    break;
                case TraceEventKind.Calloc:
                    (p, m) = (heap.Kcalloc(e.Extra, e.Size), model.Calloc(e.Extra, e.Size));
                    break;
                case TraceEventKind.Aligned:
                    (p, m) = (heap.KmallocAligned(e.Size, e.Extra), model.Aligned(e.Size, e.Extra));
                    break;
                case TraceEventKind.Realloc:
                    uint old = e.OldId >= 0 ? pointers[e.OldId] : 0;
                    (p, m) = (heap.Krealloc(old, e.Size), model.Realloc(old, e.Size));
                    break;
                default:
                    heap.Kfree(pointers[e.Id]);
                    model.Free(pointers[e.Id]);
                    continue;
            }
            Assert.True(p == m, $"event {i + 1} ({e}): heap 0x{p:X} model 0x{m:X}");
            pointers[e.Id] = p;
        }
        HeapStats s = heap.Stats();
        Assert.Equal(0u, s.CrossCheckFailures);
        Assert.Equal(model.UsedBytes, s.UsedBytes);
        Assert.Equal((uint)model.Segments.Count, s.Segments);
        Assert.True(s.Grows > 0);
        Assert.True(heap.CheckIntegrity().IsOk);
    }
}
