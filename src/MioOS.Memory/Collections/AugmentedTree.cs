namespace MioOS.Memory.Collections;

/// <summary>
/// An address-ordered AVL tree whose nodes also carry the largest size in their subtree, the structure Linux's
/// <c>mm/vmalloc.c</c> uses to find the lowest-addressed free area that fits in O(log n). First-fit placement
/// without walking a list: the answer is exactly the one a walk from the lowest address would give.
/// </summary>
/// <remarks>
/// The tree owns no memory: nodes are ids handed out by the store, and the caller keeps the root. Keys are
/// unique. After changing a node's size in place call <see cref="SizeChanged"/>; a node whose key changes
/// without passing a neighbour may stay where it is (the order is unchanged).
/// <para>Every node id read from a link is handed to <see cref="ITreeNodeStore.Follow"/> once, before it is first
/// dereferenced (<see cref="Child"/> where "no node" is allowed); ids the tree already holds are used as they are.
/// So a store that vouches for its nodes checks each node a call reaches once, not at every access.</para>
/// </remarks>
public static partial class AugmentedTree<TStore> where TStore : struct, ITreeNodeStore
{
    /// <summary>A link read from memory, followed: 0 stays "no node", anything else goes through the store's
    /// <see cref="ITreeNodeStore.Follow"/>.</summary>
    private static uint Child(ref TStore store, uint link) => link == 0 ? 0 : store.Follow(link);

    /// <summary>Inserts <paramref name="node"/>, whose key must not be in the tree yet.</summary>
    public static void Insert(ref TStore store, ref uint root, uint node)
    {
        uint key = store.Key(node);
        uint parent = 0;
        uint current = root;
        bool goLeft = false;
        while (current != 0)
        {
            parent = current;
            goLeft = key < store.Key(current);
            current = Child(ref store, goLeft ? store.Links(current).Left : store.Links(current).Right);
        }
        Attach(ref store, ref root, node, parent, goLeft);
    }

    /// <summary><see cref="Insert"/> for a node whose predecessor is known: <paramref name="floor"/> (a node the
    /// caller holds, e.g. from <see cref="Floor"/>) has the greatest key below <paramref name="node"/>'s. The node goes
    /// where a descent from the root would put it (floor's empty right slot, else the left slot of floor's successor),
    /// found without that descent (a free that has just searched for its neighbour would otherwise descend twice).</summary>
    public static void InsertAfter(ref TStore store, ref uint root, uint node, uint floor)
    {
        uint right = Child(ref store, store.Links(floor).Right);
        if (right == 0)
            Attach(ref store, ref root, node, floor, false);
        else
            Attach(ref store, ref root, node, Minimum(ref store, right), true);
    }

    /// <summary>Links <paramref name="node"/> as a leaf under <paramref name="parent"/> (0: the tree is empty) on the
    /// given side, and rebalances.</summary>
    private static void Attach(ref TStore store, ref uint root, uint node, uint parent, bool left)
    {
        ref TreeLinks links = ref store.Links(node);
        links.Left = 0;
        links.Right = 0;
        links.Height = 1;
        links.MaxSize = store.Size(node);
        links.Parent = parent;
        if (parent == 0)
            root = node;
        else if (left)
            store.Links(parent).Left = node;
        else
            store.Links(parent).Right = node;
        Rebalance(ref store, ref root, parent, 0, node);
    }

    /// <summary>Removes <paramref name="node"/>, which must be in the tree.</summary>
    public static void Remove(ref TStore store, ref uint root, uint node)
    {
        ref TreeLinks z = ref store.Links(node);
        uint fixFrom, mustReach = 0;
        if (z.Left == 0)
        {
            fixFrom = Child(ref store, z.Parent);
            Transplant(ref store, ref root, node, Child(ref store, z.Right));
        }
        else if (z.Right == 0)
        {
            fixFrom = Child(ref store, z.Parent);
            Transplant(ref store, ref root, node, store.Follow(z.Left));
        }
        else
        {
            uint right = store.Follow(z.Right);
            uint successor = Minimum(ref store, right);
            ref TreeLinks y = ref store.Links(successor);
            if (y.Parent != node)
            {
                fixFrom = Child(ref store, y.Parent);
                Transplant(ref store, ref root, successor, Child(ref store, y.Right));
                y.Right = right;
                store.Links(right).Parent = successor;
            }
            else
            {
                fixFrom = successor;
            }
            Transplant(ref store, ref root, node, successor);
            uint left = store.Follow(z.Left);
            y.Left = left;
            store.Links(left).Parent = successor;
            // The ancestors' figures were computed from the removed node's: the successor takes them over, and
            // is always recomputed (its own size replaces the removed one's in the subtree maximum).
            y.Height = z.Height;
            y.MaxSize = z.MaxSize;
            mustReach = successor;
        }
        z.Left = z.Right = z.Parent = 0;
        Rebalance(ref store, ref root, fixFrom, mustReach, 0);
    }

    /// <summary>Puts <paramref name="replacement"/> where <paramref name="node"/> is, with the same links. Used
    /// when a node moves in memory (a heap block's free remainder starts at a new address) and its key stays
    /// between the same neighbours, so the order holds. The two nodes' links must not overlap in memory; when
    /// they may, copy the links yourself and call <see cref="Moved"/>.</summary>
    public static void Replace(ref TStore store, ref uint root, uint node, uint replacement)
    {
        TreeLinks old = store.Links(node);
        store.Links(replacement) = old;
        Moved(ref store, ref root, node, replacement);
    }

    /// <summary>Finishes moving a node whose links were already copied to <paramref name="replacement"/> (the
    /// old node's memory may since have been overwritten, e.g. by the moved node itself when the two overlap):
    /// points its parent and children at <paramref name="replacement"/> and refreshes the subtree maxima. The
    /// key order must hold, as for <see cref="Replace"/>.</summary>
    public static void Moved(ref TStore store, ref uint root, uint node, uint replacement)
    {
        Relink(ref store, ref root, node, replacement, out uint parent, out uint left, out uint right);
        // As SizeChanged, without following again the links the relink followed.
        if (Update(ref store, replacement, left, right, out _))
            SizeChangedAbove(ref store, parent, replacement);
    }

    /// <summary><see cref="Moved"/> for a node whose size also grew to <paramref name="newSize"/> (a free block
    /// taking in the free block after it): the maxima are raised with <see cref="SizeGrew"/>.</summary>
    public static void MovedAndGrew(ref TStore store, ref uint root, uint node, uint replacement, uint newSize)
    {
        Relink(ref store, ref root, node, replacement, out uint parent, out _, out _);
        ref TreeLinks links = ref store.Links(replacement);
        if (links.MaxSize >= newSize)
            return;
        links.MaxSize = newSize;
        SizeGrew(ref store, parent, newSize); // the parent the relink followed
    }

    /// <summary>Points the parent and children of a moved node at <paramref name="replacement"/>; gives them,
    /// followed (0 where there is none).</summary>
    private static void Relink(ref TStore store, ref uint root, uint node, uint replacement, out uint parent,
        out uint left, out uint right)
    {
        TreeLinks links = store.Links(replacement);
        parent = Child(ref store, links.Parent);
        if (parent == 0)
            root = replacement;
        else if (store.Links(parent).Left == node)
            store.Links(parent).Left = replacement;
        else
            store.Links(parent).Right = replacement;
        left = Child(ref store, links.Left);
        if (left != 0)
            store.Links(left).Parent = replacement;
        right = Child(ref store, links.Right);
        if (right != 0)
            store.Links(right).Parent = replacement;
    }

    /// <summary>Refreshes the subtree maxima after <paramref name="node"/>'s size grew to <paramref name="newSize"/>
    /// (a free merging with its neighbours): each maximum on the way up becomes at least the new size, without
    /// reading any sibling, and the walk stops at the first one already that big.</summary>
    public static void SizeGrew(ref TStore store, uint node, uint newSize)
    {
        while (node != 0)
        {
            ref TreeLinks links = ref store.Links(node);
            if (links.MaxSize >= newSize)
                return;
            links.MaxSize = newSize;
            node = Child(ref store, links.Parent);
        }
    }

    /// <summary>Refreshes the subtree maxima on the path from <paramref name="node"/> to the root after its size changed.</summary>
    public static void SizeChanged(ref TStore store, uint node)
    {
        if (node != 0 && Update(ref store, node))
            SizeChangedAbove(ref store, Child(ref store, store.Links(node).Parent), node);
    }

    /// <summary>Goes on with <see cref="SizeChanged"/> at <paramref name="node"/> (a node the tree holds), whose child
    /// <paramref name="held"/> it came from.</summary>
    private static void SizeChangedAbove(ref TStore store, uint node, uint held)
    {
        // Stops at the first node whose height and maximum come out unchanged: nothing above depends on more.
        while (node != 0 && Update(ref store, node, held, 0, out _))
        {
            held = node;
            node = Child(ref store, store.Links(node).Parent);
        }
    }
}
