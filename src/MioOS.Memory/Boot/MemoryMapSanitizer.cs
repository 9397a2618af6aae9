using System;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Boot;

/// <summary>What the sanitiser did to a raw map, for the boot log and for tests.</summary>
public struct SanitizeReport
{
    /// <summary>Entries of length 0, dropped.</summary>
    public int DroppedEmpty;

    /// <summary>Entries whose end wraps past the top of the 64-bit space, dropped (Linux refuses the whole table; we keep the rest).</summary>
    public int DroppedWrapping;

    /// <summary>Available ranges that held no whole 4 KiB frame once rounded inward, dropped.</summary>
    public int DroppedSubFrame;

    /// <summary>Entries of the output.</summary>
    public int Count;
}

/// <summary>Outcome of <see cref="MemoryMapSanitizer.Sanitize"/>.</summary>
public enum SanitizeStatus
{
    /// <summary>The sanitised map was written.</summary>
    Ok,

    /// <summary>The output span cannot hold the sanitised map (needs up to twice the raw entries).</summary>
    OutputTooSmall,

    /// <summary>More raw entries than the sanitiser's scratch space holds (<see cref="MemoryMapSanitizer.MaxEntries"/>).</summary>
    TooManyEntries,
}

/// <summary>
/// Turns a firmware memory map into a clean one, the way Linux's e820 sanitiser does, in this order: drop empty
/// and wrapping entries; sort; where entries overlap the higher raw type number wins; report unknown types as
/// reserved; merge adjacent ranges of one type; shrink available ranges inward to whole 4 KiB frames (after the
/// merge, so 0x1000-0x17FF plus 0x1800-0x2FFF still give two frames).
/// </summary>
public static class MemoryMapSanitizer
{
    /// <summary>The most raw entries accepted (a multiboot map with more is refused, not truncated).</summary>
    public const int MaxEntries = 512;


    /// <summary>
    /// Sanitises <paramref name="raw"/> into <paramref name="output"/>, which receives at most
    /// 2 * raw.Length - 1 entries sorted by address and non-overlapping.
    /// </summary>
    public static unsafe SanitizeStatus Sanitize(ReadOnlySpan<MemoryMapEntry> raw, Span<MemoryMapEntry> output, out SanitizeReport report)
    {
        report = default;
        if (raw.Length > MaxEntries)
            return SanitizeStatus.TooManyEntries;

        // Boundaries where the covering set can change: every start, and every end that is not 2^64.
        // An elementary interval runs from one boundary to the next (or to the top of the space).
        ulong* points = stackalloc ulong[2 * MaxEntries];
        int pointCount = 0;
        bool reachesTop = false;
        for (int i = 0; i < raw.Length; i++)
        {
            MemoryMapEntry e = raw[i];
            if (e.Length == 0)
            {
                report.DroppedEmpty++;
                continue;
            }
            if (e.Length - 1 > ulong.MaxValue - e.Base)
            {
                report.DroppedWrapping++;
                continue;
            }
            points[pointCount++] = e.Base;
            ulong end = e.Base + e.Length;
            if (end == 0)
                reachesTop = true;
            else
                points[pointCount++] = end;
        }
        pointCount = SortUnique(points, pointCount);

        int count = 0;
        for (int p = 0; p < pointCount; p++)
        {
            ulong start = points[p];
            bool toTop = p + 1 == pointCount;
            if (toTop && !reachesTop)
                break;
            ulong last = toTop ? ulong.MaxValue : points[p + 1] - 1;
            if (!HighestCoveringType(raw, start, last, out uint rawType))
                continue; // a gap: no entry covers it
            uint type = rawType >= (uint)MemoryType.Available && rawType <= (uint)MemoryType.BadRam
                ? rawType
                : (uint)MemoryType.Reserved;
            // Merge with the previous range of the same type, unless the two cover the whole 64-bit space: 2^64
            // bytes have no 64-bit length (it would wrap to 0, an empty range), so they stay two entries.
            if (count > 0 && output[count - 1].Type == type && output[count - 1].Last + 1 == start
                && !(output[count - 1].Base == 0 && last == ulong.MaxValue))
            {
                output[count - 1].Length += last - start + 1;
                continue;
            }
            if (count == output.Length)
                return SanitizeStatus.OutputTooSmall;
            output[count++] = new MemoryMapEntry(start, last - start + 1, type);
        }

        // Shrink available ranges inward to whole frames; drop what holds none.
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            MemoryMapEntry e = output[i];
            if (e.Type == (uint)MemoryType.Available)
            {
                ulong first = (e.Base + Frames.OffsetMask) & ~Frames.OffsetMask;
                bool firstOverflowed = first < e.Base;
                // (Last + 1) rounded down; the frame that ends exactly at 2^64 cannot be given an exclusive
                // end in 64 bits, so a range reaching the top gives that one frame up.
                ulong end = e.Last == ulong.MaxValue ? ~Frames.OffsetMask : (e.Last + 1) & ~Frames.OffsetMask;
                if (firstOverflowed || end <= first)
                {
                    report.DroppedSubFrame++;
                    continue;
                }
                e = new MemoryMapEntry(first, end - first, e.Type);
            }
            output[kept++] = e;
        }
        report.Count = kept;
        return SanitizeStatus.Ok;
    }

    private static bool HighestCoveringType(ReadOnlySpan<MemoryMapEntry> raw, ulong start, ulong last, out uint best)
    {
        best = 0;
        bool covered = false;
        for (int i = 0; i < raw.Length; i++)
        {
            MemoryMapEntry e = raw[i];
            if (e.Length == 0 || e.Length - 1 > ulong.MaxValue - e.Base)
                continue;
            if (e.Base <= start && e.Last >= last && (!covered || e.Type > best))
            {
                best = e.Type;
                covered = true;
            }
        }
        return covered;
    }

    /// <summary>Insertion sort (a map has a few dozen entries), then drops duplicates.</summary>
    private static unsafe int SortUnique(ulong* values, int count)
    {
        for (int i = 1; i < count; i++)
        {
            ulong v = values[i];
            int j = i - 1;
            while (j >= 0 && values[j] > v)
            {
                values[j + 1] = values[j];
                j--;
            }
            values[j + 1] = v;
        }
        int unique = 0;
        for (int i = 0; i < count; i++)
        {
            if (unique == 0 || values[unique - 1] != values[i])
                values[unique++] = values[i];
        }
        return unique;
    }
}
