using System;
using MioOS.Memory.Heap;

namespace MioOS.Memory.Hosting.Traces;

/// <summary>
/// Replays a trace on a kernel heap one event at a time: every event becomes the matching heap call, blocks are
/// tracked by trace ID, and the requested bytes live are counted (calloc: count times size; a realloc replaces
/// the old size). <see cref="TraceReplayer.Replay{TGrowth}"/> runs its loop on one of these, and so does anything
/// that shows a replay as it goes (<c>mioos-mm explore</c>), so both reach the same figures after the same events.
/// </summary>
/// <typeparam name="TGrowth">The heap's growth policy.</typeparam>
public sealed class TraceStepper<TGrowth> where TGrowth : struct, IHeapGrowth
{
    private readonly KernelHeap<TGrowth> _heap;
    private readonly uint[] _pointers;
    private readonly ulong[] _sizes;

    /// <summary>A stepper for a trace whose block IDs are below <paramref name="idCount"/>, on <paramref name="heap"/>.</summary>
    public TraceStepper(KernelHeap<TGrowth> heap, int idCount)
    {
        _heap = heap;
        _pointers = new uint[idCount];
        _sizes = new ulong[idCount];
    }

    /// <summary>A stepper sized for every block ID of <paramref name="events"/>.</summary>
    public TraceStepper(KernelHeap<TGrowth> heap, ReadOnlySpan<TraceEvent> events) : this(heap, IdCount(events))
    {
    }

    /// <summary>Events applied so far.</summary>
    public long Position { get; private set; }

    /// <summary>Requested bytes live now.</summary>
    public ulong LiveBytes { get; private set; }

    /// <summary>Requested bytes live at the worst moment so far.</summary>
    public ulong PeakLiveBytes { get; private set; }

    /// <summary>The pointer the last event's call returned (0 for a free or a zero-byte request).</summary>
    public uint LastPointer { get; private set; }

    /// <summary>The pointer trace block <paramref name="id"/> has now (0: not live).</summary>
    public uint PointerOf(int id) => (uint)id < (uint)_pointers.Length ? _pointers[id] : 0;

    /// <summary>One more than the highest block ID of <paramref name="events"/>.</summary>
    public static int IdCount(ReadOnlySpan<TraceEvent> events)
    {
        int count = 0;
        foreach (ref readonly TraceEvent e in events)
            count = Math.Max(count, e.Id + 1);
        return count;
    }

    /// <summary>
    /// Applies <paramref name="e"/>, the next event. A call the heap refuses (or an allocation it cannot satisfy)
    /// throws <see cref="ReplayException"/> naming the event; the stepper is then not to be used further.
    /// </summary>
    public void Step(in TraceEvent e)
    {
        uint pointer;
        HeapStatus status;
        switch (e.Kind)
        {
            case TraceEventKind.Malloc:
                pointer = _heap.Kmalloc(e.Size, out status);
                break;
            case TraceEventKind.Calloc:
                pointer = _heap.Kcalloc(e.Extra, e.Size, out status);
                break;
            case TraceEventKind.Aligned:
                pointer = _heap.KmallocAligned(e.Size, e.Extra, out status);
                break;
            case TraceEventKind.Realloc:
                pointer = _heap.Krealloc(e.OldId >= 0 ? _pointers[e.OldId] : 0, e.Size, out status);
                if (e.OldId >= 0)
                {
                    LiveBytes -= _sizes[e.OldId];
                    _pointers[e.OldId] = 0;
                }
                break;
            default:
                status = _heap.Kfree(_pointers[e.Id]);
                _pointers[e.Id] = 0;
                LiveBytes -= _sizes[e.Id];
                LastPointer = 0;
                if (status != HeapStatus.Ok)
                    throw Fail(e, status);
                Position++;
                return;
        }
        if (status != HeapStatus.Ok || (pointer == 0 && e.RequestedBytes != 0))
            throw Fail(e, status == HeapStatus.Ok ? HeapStatus.OutOfMemory : status);
        _pointers[e.Id] = pointer;
        _sizes[e.Id] = e.RequestedBytes;
        LiveBytes += e.RequestedBytes;
        if (LiveBytes > PeakLiveBytes)
            PeakLiveBytes = LiveBytes;
        LastPointer = pointer;
        Position++;
    }

    private ReplayException Fail(in TraceEvent e, HeapStatus status)
    {
        HeapStats s = _heap.Stats();
        return new ReplayException(
            $"event {Position + 1} ({e.Kind} id {e.Id}, {e.RequestedBytes} bytes): {status}" +
            (status == HeapStatus.OutOfMemory ? $" (heap {s.SizeBytes} bytes in {s.Segments} segments)" : ""));
    }
}
