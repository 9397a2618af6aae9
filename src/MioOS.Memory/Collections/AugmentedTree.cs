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
/// </remarks>
public static class AugmentedTree<TStore> where TStore : struct, ITreeNodeStore
{
    /// <summary>Inserts <paramref name="node"/>, whose key must not be in the tree yet.</summary>
    public static void Insert(ref TStore store, ref uint root, uint node)
    {
        ref TreeLinks links = ref store.Links(node);
        links.Left = 0;
        links.Right = 0;
        links.Height = 1;
        links.MaxSize = store.Size(node);
        uint key = store.Key(node);
        uint parent = 0;
        uint current = root;
        bool goLeft = false;
        while (current != 0)
        {
            parent = current;
            goLeft = key < store.Key(current);
            current = goLeft ? store.Links(current).Left : store.Links(current).Right;
        }
        links.Parent = parent;
        if (parent == 0)
            root = node;
        else if (goLeft)
            store.Links(parent).Left = node;
        else
            store.Links(parent).Right = node;
        Rebalance(ref store, ref root, parent, 0);
    }

    /// <summary>Removes <paramref name="node"/>, which must be in the tree.</summary>
    public static void Remove(ref TStore store, ref uint root, uint node)
    {
        ref TreeLinks z = ref store.Links(node);
        uint fixFrom, mustReach = 0;
        if (z.Left == 0)
        {
            fixFrom = z.Parent;
            Transplant(ref store, ref root, node, z.Right);
        }
        else if (z.Right == 0)
        {
            fixFrom = z.Parent;
            Transplant(ref store, ref root, node, z.Left);
        }
        else
        {
            uint successor = Minimum(ref store, z.Right);
            ref TreeLinks y = ref store.Links(successor);
            if (y.Parent != node)
            {
                fixFrom = y.Parent;
                Transplant(ref store, ref root, successor, y.Right);
                y.Right = z.Right;
                store.Links(y.Right).Parent = successor;
            }
            else
            {
                fixFrom = successor;
            }
            Transplant(ref store, ref root, node, successor);
            y.Left = z.Left;
            store.Links(y.Left).Parent = successor;
            // The ancestors' figures were computed from the removed node's: the successor takes them over, and
            // is always recomputed (its own size replaces the removed one's in the subtree maximum).
            y.Height = z.Height;
            y.MaxSize = z.MaxSize;
            mustReach = successor;
        }
        z.Left = z.Right = z.Parent = 0;
        Rebalance(ref store, ref root, fixFrom, mustReach);
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
        TreeLinks links = store.Links(replacement);
        if (links.Parent == 0)
            root = replacement;
        else if (store.Links(links.Parent).Left == node)
            store.Links(links.Parent).Left = replacement;
        else
            store.Links(links.Parent).Right = replacement;
        if (links.Left != 0)
            store.Links(links.Left).Parent = replacement;
        if (links.Right != 0)
            store.Links(links.Right).Parent = replacement;
        SizeChanged(ref store, replacement);
    }

    /// <summary>Refreshes the subtree maxima on the path from <paramref name="node"/> to the root after its size changed.</summary>
    public static void SizeChanged(ref TStore store, uint node)
    {
        // Stops at the first node whose height and maximum come out unchanged: nothing above depends on more.
        while (node != 0 && Update(ref store, node))
            node = store.Links(node).Parent;
    }

    /// <summary>The node with the lowest key whose size is at least <paramref name="size"/>, or 0.</summary>
    public static uint LowestFit(ref TStore store, uint root, uint size)
    {
        uint node = root;
        if (node == 0 || store.Links(node).MaxSize < size)
            return 0;
        while (true)
        {
            ref TreeLinks links = ref store.Links(node);
            if (links.Left != 0 && store.Links(links.Left).MaxSize >= size)
                node = links.Left;
            else if (store.Size(node) >= size)
                return node;
            else
                node = links.Right; // the subtree max says a fit is there
        }
    }

    /// <summary>The next node after <paramref name="node"/> in key order whose size is at least
    /// <paramref name="size"/>, or 0. Skips subtrees that hold nothing that big.</summary>
    public static uint NextFit(ref TStore store, uint node, uint size)
    {
        // First the right subtree, then the ancestors we return to from a left child (with their right subtrees).
        uint right = store.Links(node).Right;
        if (right != 0 && store.Links(right).MaxSize >= size)
            return LowestFit(ref store, right, size);
        uint child = node;
        uint parent = store.Links(node).Parent;
        while (parent != 0)
        {
            if (store.Links(parent).Left == child)
            {
                if (store.Size(parent) >= size)
                    return parent;
                uint parentRight = store.Links(parent).Right;
                if (parentRight != 0 && store.Links(parentRight).MaxSize >= size)
                    return LowestFit(ref store, parentRight, size);
            }
            child = parent;
            parent = store.Links(parent).Parent;
        }
        return 0;
    }

    /// <summary>The node with the greatest key not above <paramref name="key"/>, or 0.</summary>
    public static uint Floor(ref TStore store, uint root, uint key)
    {
        uint best = 0;
        uint node = root;
        while (node != 0)
        {
            if (store.Key(node) <= key)
            {
                best = node;
                node = store.Links(node).Right;
            }
            else
            {
                node = store.Links(node).Left;
            }
        }
        return best;
    }

    /// <summary>The node with the least key not below <paramref name="key"/>, or 0.</summary>
    public static uint Ceiling(ref TStore store, uint root, uint key)
    {
        uint best = 0;
        uint node = root;
        while (node != 0)
        {
            if (store.Key(node) >= key)
            {
                best = node;
                node = store.Links(node).Left;
            }
            else
            {
                node = store.Links(node).Right;
            }
        }
        return best;
    }

    /// <summary>The node whose key is exactly <paramref name="key"/>, or 0.</summary>
    public static uint Find(ref TStore store, uint root, uint key)
    {
        uint node = Floor(ref store, root, key);
        return node != 0 && store.Key(node) == key ? node : 0;
    }

    /// <summary>The node with the lowest key in the subtree at <paramref name="node"/>, or 0 for an empty tree.</summary>
    public static uint Minimum(ref TStore store, uint node)
    {
        if (node == 0)
            return 0;
        while (store.Links(node).Left != 0)
            node = store.Links(node).Left;
        return node;
    }

    /// <summary>The node after <paramref name="node"/> in key order, or 0.</summary>
    public static uint Successor(ref TStore store, uint node)
    {
        uint right = store.Links(node).Right;
        if (right != 0)
            return Minimum(ref store, right);
        uint parent = store.Links(node).Parent;
        while (parent != 0 && store.Links(parent).Right == node)
        {
            node = parent;
            parent = store.Links(parent).Parent;
        }
        return parent;
    }

    /// <summary>The node before <paramref name="node"/> in key order, or 0.</summary>
    public static uint Predecessor(ref TStore store, uint node)
    {
        uint left = store.Links(node).Left;
        if (left != 0)
        {
            while (store.Links(left).Right != 0)
                left = store.Links(left).Right;
            return left;
        }
        uint parent = store.Links(node).Parent;
        while (parent != 0 && store.Links(parent).Left == node)
        {
            node = parent;
            parent = store.Links(parent).Parent;
        }
        return parent;
    }

    /// <summary>
    /// Checks every structural invariant: parent links, strictly increasing keys, AVL heights and balance,
    /// subtree maxima. Returns the number of nodes, or -1 when something is wrong. Iterative, so a damaged
    /// tree cannot overflow the stack; gives up after <paramref name="maxNodes"/> nodes (a cycle).
    /// </summary>
    public static long Validate(ref TStore store, uint root, long maxNodes)
    {
        if (root == 0)
            return 0;
        if (store.Links(root).Parent != 0)
            return -1;
        long count = 0;
        bool haveLast = false;
        uint lastKey = 0;
        for (uint node = Minimum(ref store, root); node != 0; node = Successor(ref store, node))
        {
            if (++count > maxNodes)
                return -1;
            uint key = store.Key(node);
            if (haveLast && key <= lastKey)
                return -1;
            haveLast = true;
            lastKey = key;
            ref TreeLinks links = ref store.Links(node);
            // A node whose parent link is lost would end the in-order walk early and hide the rest of the tree.
            if (node != root)
            {
                if (links.Parent == 0)
                    return -1;
                ref TreeLinks parent = ref store.Links(links.Parent);
                if (parent.Left != node && parent.Right != node)
                    return -1;
            }
            uint leftHeight = 0, rightHeight = 0, max = store.Size(node);
            if (links.Left != 0)
            {
                if (store.Links(links.Left).Parent != node)
                    return -1;
                leftHeight = store.Links(links.Left).Height;
                max = Max(max, store.Links(links.Left).MaxSize);
            }
            if (links.Right != 0)
            {
                if (store.Links(links.Right).Parent != node)
                    return -1;
                rightHeight = store.Links(links.Right).Height;
                max = Max(max, store.Links(links.Right).MaxSize);
            }
            if (links.Height != Max(leftHeight, rightHeight) + 1 || links.MaxSize != max)
                return -1;
            if (leftHeight > rightHeight + 1 || rightHeight > leftHeight + 1)
                return -1;
        }
        return count;
    }

    private static uint Max(uint a, uint b) => a > b ? a : b;

    private static uint HeightOf(ref TStore store, uint node) => node == 0 ? 0 : store.Links(node).Height;

    /// <summary>Recomputes the node's height and subtree maximum from its children; true when either changed.</summary>
    private static bool Update(ref TStore store, uint node)
    {
        ref TreeLinks links = ref store.Links(node);
        uint max = store.Size(node);
        uint leftHeight = 0, rightHeight = 0;
        if (links.Left != 0)
        {
            ref TreeLinks left = ref store.Links(links.Left);
            leftHeight = left.Height;
            max = Max(max, left.MaxSize);
        }
        if (links.Right != 0)
        {
            ref TreeLinks right = ref store.Links(links.Right);
            rightHeight = right.Height;
            max = Max(max, right.MaxSize);
        }
        uint height = Max(leftHeight, rightHeight) + 1;
        bool changed = height != links.Height || max != links.MaxSize;
        links.Height = height;
        links.MaxSize = max;
        return changed;
    }

    private static int Balance(ref TStore store, uint node)
    {
        ref TreeLinks links = ref store.Links(node);
        return (int)HeightOf(ref store, links.Left) - (int)HeightOf(ref store, links.Right);
    }

    /// <summary>Walks from <paramref name="node"/> towards the root, refreshing heights and maxima and rotating
    /// where a subtree leans by more than one level. Stops at the first balanced node whose figures come out
    /// unchanged (nothing above depends on more), but not before <paramref name="mustReach"/> (0: anywhere).</summary>
    private static void Rebalance(ref TStore store, ref uint root, uint node, uint mustReach)
    {
        bool reached = mustReach == 0;
        while (node != 0)
        {
            bool changed = Update(ref store, node);
            if (node == mustReach)
                reached = true;
            int balance = Balance(ref store, node);
            if (balance > 1)
            {
                uint left = store.Links(node).Left;
                if (Balance(ref store, left) < 0)
                    RotateLeft(ref store, ref root, left);
                node = RotateRight(ref store, ref root, node);
            }
            else if (balance < -1)
            {
                uint right = store.Links(node).Right;
                if (Balance(ref store, right) > 0)
                    RotateRight(ref store, ref root, right);
                node = RotateLeft(ref store, ref root, node);
            }
            else if (!changed && reached)
            {
                return;
            }
            node = store.Links(node).Parent;
        }
    }

    private static uint RotateLeft(ref TStore store, ref uint root, uint x)
    {
        ref TreeLinks xl = ref store.Links(x);
        uint y = xl.Right;
        ref TreeLinks yl = ref store.Links(y);
        xl.Right = yl.Left;
        if (yl.Left != 0)
            store.Links(yl.Left).Parent = x;
        Transplant(ref store, ref root, x, y);
        yl.Left = x;
        xl.Parent = y;
        Update(ref store, x);
        Update(ref store, y);
        return y;
    }

    private static uint RotateRight(ref TStore store, ref uint root, uint x)
    {
        ref TreeLinks xl = ref store.Links(x);
        uint y = xl.Left;
        ref TreeLinks yl = ref store.Links(y);
        xl.Left = yl.Right;
        if (yl.Right != 0)
            store.Links(yl.Right).Parent = x;
        Transplant(ref store, ref root, x, y);
        yl.Right = x;
        xl.Parent = y;
        Update(ref store, x);
        Update(ref store, y);
        return y;
    }

    /// <summary>Makes <paramref name="replacement"/> (possibly 0) take <paramref name="node"/>'s place under its parent.</summary>
    private static void Transplant(ref TStore store, ref uint root, uint node, uint replacement)
    {
        uint parent = store.Links(node).Parent;
        if (parent == 0)
            root = replacement;
        else if (store.Links(parent).Left == node)
            store.Links(parent).Left = replacement;
        else
            store.Links(parent).Right = replacement;
        if (replacement != 0)
            store.Links(replacement).Parent = parent;
    }
}
