using MioOS.Memory.Collections;

namespace MioOS.Memory.Physical;

// First-fit hints: for each small count, the head slot of the lowest free extent of a region that holds that many
// frames, or 0 when not known. An allocation of such a count starts there instead of descending the tree. A carve
// keeps or forgets the hints that named the extent it cut; a free points every hint its extent now satisfies and
// lies below at it. Nothing else can make a lower extent fit, so a hint, when set, is the tree's lowest fit (the
// integrity walk checks that it is).
public readonly unsafe partial struct PhysicalMemoryManager
{
    /// <summary>Counts 1 to this many frames have a first-fit hint in each region.</summary>
    public const int FitHintCounts = 8;

    private uint* FitHints(FrameRegion region) => S->FitHints + (region == FrameRegion.High ? FitHintCounts : 0);

    /// <summary>The lowest free extent of <paramref name="region"/> that holds <paramref name="count"/> frames (no
    /// alignment): the hint when there is one, else the tree's answer, which then becomes the hint.</summary>
    private uint LowestFitFor(uint count, FrameRegion region, uint root)
    {
        ExtentStore store = Store;
        if (count > FitHintCounts)
            return AugmentedTree<ExtentStore>.LowestFit(ref store, root, ExtentClass.Of(count));
        uint* hint = FitHints(region) + (count - 1);
        if (*hint == 0)
            *hint = AugmentedTree<ExtentStore>.LowestFit(ref store, root, ExtentClass.Of(count));
        return *hint;
    }

    /// <summary>After a carve from the extent at <paramref name="node"/>: the hints that named it now name what is left
    /// at the same place (<paramref name="left"/>, of <paramref name="leftLength"/> frames, 0 when nothing is) if it
    /// still holds their count, else nothing. No other extent's fit changed.</summary>
    private void CarvedFrom(FrameRegion region, uint node, uint left, uint leftLength)
    {
        uint* hints = FitHints(region);
        for (uint k = 0; k < FitHintCounts; k++)
        {
            if (hints[k] == node)
                hints[k] = left != 0 && leftLength >= k + 1 ? left : 0;
        }
    }

    /// <summary>After a free made the extent at <paramref name="slot"/> [start, start + length) (absorbing the extent
    /// that was at <paramref name="absorbed"/>, or 0): every hint it satisfies and lies below, or that named the absorbed
    /// extent, now names it. Hints still unknown stay so.</summary>
    private void FreedAt(FrameRegion region, uint slot, uint start, uint length, uint absorbed)
    {
        uint* hints = FitHints(region);
        ExtentStore store = Store;
        uint counts = length < FitHintCounts ? length : FitHintCounts;
        for (uint k = 0; k < counts; k++)
        {
            uint h = hints[k];
            if (h != 0 && (h == absorbed || store.Record(h)->Start > start))
                hints[k] = slot;
        }
    }

    /// <summary>True when every first-fit hint of <paramref name="region"/> that is set names the tree's lowest fit.</summary>
    private bool FitHintsHold(FrameRegion region, uint root)
    {
        uint* hints = FitHints(region);
        ExtentStore store = Store;
        for (uint k = 0; k < FitHintCounts; k++)
        {
            if (hints[k] != 0 && hints[k] != AugmentedTree<ExtentStore>.LowestFit(ref store, root, ExtentClass.Of(k + 1)))
                return false;
        }
        return true;
    }
}
