namespace MioOS.Memory.Collections;

// The structural check the heap's and the PMM's integrity checks run over their trees.
public static partial class AugmentedTree<TStore>
{
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
                ref TreeLinks parent = ref store.Links(store.Follow(links.Parent));
                if (parent.Left != node && parent.Right != node)
                    return -1;
            }
            uint leftHeight = 0, rightHeight = 0, max = store.Size(node);
            if (links.Left != 0)
            {
                ref TreeLinks left = ref store.Links(store.Follow(links.Left));
                if (left.Parent != node)
                    return -1;
                leftHeight = left.Height;
                max = Max(max, left.MaxSize);
            }
            if (links.Right != 0)
            {
                ref TreeLinks right = ref store.Links(store.Follow(links.Right));
                if (right.Parent != node)
                    return -1;
                rightHeight = right.Height;
                max = Max(max, right.MaxSize);
            }
            if (links.Height != Max(leftHeight, rightHeight) + 1 || links.MaxSize != max)
                return -1;
            if (leftHeight > rightHeight + 1 || rightHeight > leftHeight + 1)
                return -1;
        }
        return count;
    }
}
