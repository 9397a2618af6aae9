using MioOS.Memory.Collections;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Physical;

// Record slots: every indexed frame owns one record. An extent's record is the slot of its first frame (its head),
// and a free extent of two frames or more also marks the slot of its last frame (its tail, naming the head), so a free
// finds the extent that ends just before it and the one that starts just after it without a search. Every other slot
// is zero. The count of marked slots is kept, so the integrity walk can tell that no stale mark is left anywhere.
public readonly unsafe partial struct PhysicalMemoryManager
{
    private FrameSpan* Span(uint index) =>
        _window.At<FrameSpan>(_state + S->SpanOffset + index * (ulong)FrameSpan.Size, MemoryAccess.Write);

    /// <summary>Appends the stretch [first, first + frames) of <paramref name="region"/> to the span table; its slots follow
    /// the previous span's.</summary>
    private void AddSpan(uint first, uint frames, FrameRegion region)
    {
        PmmState* s = S;
        if (frames == 0 || s->SpanCount == s->SpanCapacity)
            return;
        FrameSpan* span = Span(s->SpanCount++);
        span->FirstFrame = first;
        span->Frames = frames;
        span->FirstSlot = s->RecordCapacity + 1;
        span->Region = (uint)region;
        s->RecordCapacity += frames;
    }

    /// <summary>The index of the span holding <paramref name="frame"/>, or -1 when no span does (a binary search: the
    /// spans are in address order).</summary>
    private int SpanOf(uint frame)
    {
        int low = 0, high = (int)S->SpanCount - 1;
        while (low <= high)
        {
            int middle = (low + high) >> 1;
            FrameSpan* span = Span((uint)middle);
            if (frame < span->FirstFrame)
                high = middle - 1;
            else if (frame - span->FirstFrame >= span->Frames)
                low = middle + 1;
            else
                return middle;
        }
        return -1;
    }

    /// <summary>The record slot of <paramref name="frame"/>, or 0 when the frame is not indexed.</summary>
    internal uint SlotOf(uint frame)
    {
        int span = SpanOf(frame);
        return span < 0 ? 0 : Span((uint)span)->FirstSlot + (frame - Span((uint)span)->FirstFrame);
    }

    /// <summary>The slot of <paramref name="frame"/> when it lies in the same span as the frame whose slot is
    /// <paramref name="slot"/> (frames of one span have consecutive slots), else 0. <paramref name="frame"/> is
    /// <paramref name="slotFrame"/> plus or minus a small step, so the span's bounds are checked against the span
    /// found for <paramref name="slotFrame"/>.</summary>
    private uint SlotBeside(uint slot, uint slotFrame, uint frame, int span)
    {
        FrameSpan* sp = Span((uint)span);
        return frame - sp->FirstFrame < sp->Frames ? slot + (frame - slotFrame) : 0;
    }

    private static bool IsMarked(ExtentRecord* r) => (r->Flags & (uint)(ExtentFlags.Head | ExtentFlags.Tail)) != 0;

    /// <summary>Makes <paramref name="slot"/> the head of an extent [start, start + length) with
    /// <paramref name="flags"/> (besides <see cref="ExtentFlags.Head"/>); its tree links are cleared.</summary>
    private void MarkHead(uint slot, uint start, uint length, uint flags)
    {
        ExtentRecord* r = Store.Record(slot);
        if (!IsMarked(r))
            S->RecordsInUse++;
        *r = default;
        r->Start = start;
        r->Length = length;
        r->Flags = flags | (uint)ExtentFlags.Head;
    }

    /// <summary>Marks <paramref name="slot"/> as the last frame of the free extent that starts at <paramref name="start"/>.</summary>
    private void MarkTail(uint slot, uint start, uint length)
    {
        ExtentRecord* r = Store.Record(slot);
        if (!IsMarked(r))
            S->RecordsInUse++;
        *r = default;
        r->Start = start;
        r->Length = length;
        r->Flags = (uint)ExtentFlags.Tail;
    }

    /// <summary>Writes the tail of the free extent [start, start + length) whose head is <paramref name="head"/> (at
    /// <paramref name="start"/>): the slot of its last frame, unless that is the head itself.</summary>
    private void MarkFreeTail(uint head, uint start, uint length)
    {
        if (length >= 2)
            MarkTail(head + (length - 1), start, length);
    }

    /// <summary>Clears <paramref name="slot"/> (a head or tail no longer needed).</summary>
    private void ClearSlot(uint slot)
    {
        ExtentRecord* r = Store.Record(slot);
        if (IsMarked(r))
            S->RecordsInUse--;
        *r = default;
    }

    /// <summary>The head slot of the free extent that ends right before <paramref name="frame"/> (whose slot is
    /// <paramref name="slot"/>, in span <paramref name="span"/>), or 0.</summary>
    private uint FreeEndingBefore(uint slot, uint frame, int span)
    {
        if (frame == 0)
            return 0;
        uint before = SlotBeside(slot, frame, frame - 1, span);
        if (before == 0)
            return 0;
        ExtentRecord* r = Store.Record(before);
        if ((r->Flags & (uint)ExtentFlags.Tail) != 0)
            return before - (r->Length - 1);
        bool freeHead = (r->Flags & ((uint)ExtentFlags.Head | (uint)ExtentFlags.Allocated)) == (uint)ExtentFlags.Head;
        return freeHead && r->Length == 1 ? before : 0;
    }

    /// <summary>The head slot of the free extent that starts at <paramref name="frame"/> (the frame after a run whose
    /// first frame is <paramref name="slotFrame"/> at <paramref name="slot"/>, in span <paramref name="span"/>), or 0.</summary>
    private uint FreeStartingAt(uint slot, uint slotFrame, uint frame, int span)
    {
        uint after = SlotBeside(slot, slotFrame, frame, span);
        if (after == 0)
            return 0;
        ExtentRecord* r = Store.Record(after);
        return (r->Flags & ((uint)ExtentFlags.Head | (uint)ExtentFlags.Allocated)) == (uint)ExtentFlags.Head ? after : 0;
    }
}
