using System.Collections.Generic;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Hosting.Cpu;

/// <summary>One cached translation.</summary>
/// <param name="PageBase">Physical address of the page.</param>
/// <param name="Size">4 KiB or 4 MiB.</param>
/// <param name="Writable">R/W of all levels.</param>
/// <param name="User">U/S of all levels.</param>
/// <param name="Dirty">True when the walk that filled it set (or found) D: a write hitting an entry without it
/// walks again so D gets set in memory (SDM vol. 3, 4.8).</param>
/// <param name="Global">G with CR4.PGE = 1: survives CR3 loads.</param>
/// <param name="Flags">The effective flags of the final entry (bit 7 = PAT for both sizes).</param>
public readonly record struct TlbEntry(PhysicalAddress PageBase, PageSize Size, bool Writable, bool User, bool Dirty, bool Global, PageFlags Flags);

/// <summary>
/// The translation lookaside buffer: translations cached per 4 KiB page and per 4 MiB page, kept until
/// <c>invlpg</c>, a CR3 load (non-global ones) or a paging-mode change (all) drops them (SDM vol. 3, 4.10).
/// Unbounded, so it never evicts on its own: a missing invalidation is always visible.
/// </summary>
public sealed class Tlb
{
    private readonly Dictionary<uint, TlbEntry> _small = new();
    private readonly Dictionary<uint, TlbEntry> _large = new();

    /// <summary>Cached translations.</summary>
    public int Count => _small.Count + _large.Count;

    /// <summary>Hits since creation.</summary>
    public long Hits { get; private set; }

    /// <summary>Misses since creation.</summary>
    public long Misses { get; private set; }

    /// <summary>The cached translation for <paramref name="linear"/>, if any.</summary>
    public bool TryLookup(uint linear, out TlbEntry entry)
    {
        if (_small.TryGetValue(linear >> 12, out entry) || _large.TryGetValue(linear >> 22, out entry))
        {
            Hits++;
            return true;
        }
        Misses++;
        return false;
    }

    /// <summary>True when some translation for <paramref name="linear"/> is cached (no statistics).</summary>
    public bool Contains(uint linear) => _small.ContainsKey(linear >> 12) || _large.ContainsKey(linear >> 22);

    /// <summary>Caches a translation of <paramref name="linear"/>.</summary>
    public void Insert(uint linear, TlbEntry entry)
    {
        if (entry.Size == PageSize.Size4MiB)
            _large[linear >> 22] = entry;
        else
            _small[linear >> 12] = entry;
    }

    /// <summary><c>invlpg</c>: drops the translations of the page holding <paramref name="linear"/>, of either size.</summary>
    public void InvalidatePage(uint linear)
    {
        _small.Remove(linear >> 12);
        _large.Remove(linear >> 22);
    }

    /// <summary>A CR3 load with CR4.PGE = 1: drops all but global translations.</summary>
    public void FlushNonGlobal()
    {
        RemoveNonGlobal(_small);
        RemoveNonGlobal(_large);
    }

    /// <summary>Drops everything (CR3 load without PGE, or a change of CR0.PG, CR4.PSE/PGE/PAE).</summary>
    public void FlushAll()
    {
        _small.Clear();
        _large.Clear();
    }

    private static void RemoveNonGlobal(Dictionary<uint, TlbEntry> map)
    {
        List<uint>? drop = null;
        foreach (KeyValuePair<uint, TlbEntry> pair in map)
            if (!pair.Value.Global)
                (drop ??= new List<uint>()).Add(pair.Key);
        if (drop != null)
            foreach (uint key in drop)
                map.Remove(key);
    }
}
