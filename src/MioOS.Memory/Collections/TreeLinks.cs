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
    /// <summary>The links of <paramref name="node"/> (never 0): a node the caller handed to the tree, the root, or one
    /// <see cref="Follow"/> returned. The tree never passes a link it read from memory here without following it first.</summary>
    ref TreeLinks Links(uint node);

    /// <summary>
    /// Called once for every node id the tree read from a link field (left, right, parent), before its first
    /// dereference: returns the id to use from then on. A store whose links cannot be damaged returns
    /// <paramref name="link"/>; a store whose links live where a stray write reaches them (the heap's free blocks)
    /// vouches for it here, and hands back a stand-in node it owns when the link cannot be a node (0 included: the
    /// tree calls this only where a node must be).
    /// </summary>
    uint Follow(uint link);

    /// <summary>The key that orders the tree: a start address or frame number, unique.</summary>
    uint Key(uint node);

    /// <summary>The size the tree is augmented with: free bytes or free frames.</summary>
    uint Size(uint node);
}
