using MioOS.Memory.Boot;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Fuzz.Targets;

/// <summary>
/// What a parsed map goes through next on both hosts: the core's sanitiser. Its documented answer for any raw map
/// of at most <see cref="MemoryMapSanitizer.MaxEntries"/> entries is Ok, with at most 2n - 1 entries, sorted,
/// non-overlapping, available ranges whole frames, each range of the type of the highest raw type covering it.
/// </summary>
public static class MapContract
{
    /// <summary>Sanitises <paramref name="raw"/> and throws <see cref="FuzzFinding"/> where the answer breaks the contract.</summary>
    public static void CheckSanitised(ReadOnlySpan<MemoryMapEntry> raw)
    {
        var output = new MemoryMapEntry[Math.Max(1, 2 * raw.Length - 1)];
        SanitizeStatus status = MemoryMapSanitizer.Sanitize(raw, output, out SanitizeReport report);
        if (raw.Length > MemoryMapSanitizer.MaxEntries)
        {
            if (status != SanitizeStatus.TooManyEntries)
                throw new FuzzFinding($"sanitiser answered {status} for {raw.Length} entries (more than {MemoryMapSanitizer.MaxEntries})");
            return;
        }
        if (status != SanitizeStatus.Ok)
            throw new FuzzFinding($"sanitiser answered {status} for {raw.Length} entries with room for {output.Length}");
        if (report.Count < 0 || report.Count > output.Length)
            throw new FuzzFinding($"sanitiser reported {report.Count} entries");
        for (int i = 0; i < report.Count; i++)
        {
            MemoryMapEntry e = output[i];
            if (e.Length == 0 || e.Length - 1 > ulong.MaxValue - e.Base)
                throw new FuzzFinding($"sanitised entry {i} is empty or wraps: 0x{e.Base:X} +0x{e.Length:X}");
            if (i > 0 && output[i - 1].Last >= e.Base)
                throw new FuzzFinding($"sanitised entries {i - 1} and {i} overlap or are out of order");
            if (e.Type == (uint)MemoryType.Available && ((e.Base | e.Length) & Frames.OffsetMask) != 0)
                throw new FuzzFinding($"sanitised available entry {i} is not whole frames: 0x{e.Base:X} +0x{e.Length:X}");
            if (e.Type < (uint)MemoryType.Available || e.Type > (uint)MemoryType.BadRam)
                throw new FuzzFinding($"sanitised entry {i} keeps raw type {e.Type}");
            uint expected = HighestCoveringType(raw, e.Base);
            if (expected != e.Type)
                throw new FuzzFinding($"sanitised entry {i} at 0x{e.Base:X} has type {e.Type}, the raw map says {expected}");
        }
    }

    /// <summary>The type the raw map gives <paramref name="address"/>: the highest raw type covering it, unknown types as reserved.</summary>
    private static uint HighestCoveringType(ReadOnlySpan<MemoryMapEntry> raw, ulong address)
    {
        uint best = 0;
        bool covered = false;
        foreach (MemoryMapEntry e in raw)
        {
            if (e.Length == 0 || e.Length - 1 > ulong.MaxValue - e.Base)
                continue;
            if (e.Base <= address && address <= e.Last && (!covered || e.Type > best))
            {
                best = e.Type;
                covered = true;
            }
        }
        if (!covered)
            return uint.MaxValue;
        return best >= (uint)MemoryType.Available && best <= (uint)MemoryType.BadRam ? best : (uint)MemoryType.Reserved;
    }
}
