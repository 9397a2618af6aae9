namespace MioOS.Memory.Collections;

/// <summary>
/// The links of one node of an <see cref="AugmentedTree{TStore}"/>, stored wherever the node lives (inside a
/// free heap block, or in a PMM record). Node 0 is "no node".
/// </summary>
public struct TreeLinks
{
    /// <summary>The child with lower keys.</summary>
    public uint Left;

    /// <summary>The child with higher keys.</summary>
    public uint Right;

    /// <summary>The parent, 0 at the root.</summary>
    public uint Parent;

    /// <summary>AVL height of the subtree (a leaf is 1).</summary>
    public uint Height;

    /// <summary>The largest <see cref="ITreeNodeStore.Size"/> in the subtree: what lets a search skip every
    /// subtree that holds nothing big enough, so the lowest fit is found in O(log n).</summary>
    public uint MaxSize;
}

/// <summary>
/// Where the nodes of an <see cref="AugmentedTree{TStore}"/> live. Implemented by a struct, so the tree code
/// is specialised for each store and calls nothing virtual.
/// </summary>
public interface ITreeNodeStore
{
    /// <summary>The links of <paramref name="node"/> (never 0).</summary>
    ref TreeLinks Links(uint node);

    /// <summary>The key that orders the tree: a start address or frame number, unique.</summary>
    uint Key(uint node);

    /// <summary>The size the tree is augmented with: free bytes or free frames.</summary>
    uint Size(uint node);
}
