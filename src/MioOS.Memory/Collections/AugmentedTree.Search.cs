namespace MioOS.Memory.Collections;

// Finding nodes: first fit by size, by key, and walking in key order.
public static partial class AugmentedTree<TStore>
{
    /// <summary>The node with the lowest key whose size is at least <paramref name="size"/>, or 0.</summary>
    public static uint LowestFit(ref TStore store, uint root, uint size)
    {
        uint node = root;
        if (node == 0 || store.Links(node).MaxSize < size)
            return 0;
        while (true)
        {
            ref TreeLinks links = ref store.Links(node);
            uint left = Child(ref store, links.Left);
            if (left != 0 && store.Links(left).MaxSize >= size)
                node = left;
            else if (store.Size(node) >= size)
                return node;
            else
                node = store.Follow(links.Right); // the subtree max says a fit is there
        }
    }

    /// <summary>The next node after <paramref name="node"/> in key order whose size is at least
    /// <paramref name="size"/>, or 0. Skips subtrees that hold nothing that big.</summary>
    public static uint NextFit(ref TStore store, uint node, uint size)
    {
        // First the right subtree, then the ancestors we return to from a left child (with their right subtrees).
        uint right = Child(ref store, store.Links(node).Right);
        if (right != 0 && store.Links(right).MaxSize >= size)
            return LowestFit(ref store, right, size);
        uint child = node;
        uint parent = Child(ref store, store.Links(node).Parent);
        while (parent != 0)
        {
            if (store.Links(parent).Left == child)
            {
                if (store.Size(parent) >= size)
                    return parent;
                uint parentRight = Child(ref store, store.Links(parent).Right);
                if (parentRight != 0 && store.Links(parentRight).MaxSize >= size)
                    return LowestFit(ref store, parentRight, size);
            }
            child = parent;
            parent = Child(ref store, store.Links(parent).Parent);
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
                node = Child(ref store, store.Links(node).Right);
            }
            else
            {
                node = Child(ref store, store.Links(node).Left);
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
                node = Child(ref store, store.Links(node).Left);
            }
            else
            {
                node = Child(ref store, store.Links(node).Right);
            }
        }
        return best;
    }

    /// <summary><see cref="Floor"/> and <see cref="Ceiling"/> of <paramref name="key"/> in one descent (a free
    /// merging with both neighbours needs both; two descents cost twice the cache misses).</summary>
    public static void Neighbours(ref TStore store, uint root, uint key, out uint floor, out uint ceiling)
    {
        floor = 0;
        ceiling = 0;
        uint node = root;
        while (node != 0)
        {
            uint nodeKey = store.Key(node);
            if (nodeKey == key)
            {
                floor = ceiling = node;
                return;
            }
            if (nodeKey < key)
            {
                floor = node;
                node = Child(ref store, store.Links(node).Right);
            }
            else
            {
                ceiling = node;
                node = Child(ref store, store.Links(node).Left);
            }
        }
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
        for (uint left = Child(ref store, store.Links(node).Left); left != 0; left = Child(ref store, store.Links(node).Left))
            node = left;
        return node;
    }

    /// <summary>The node after <paramref name="node"/> in key order, or 0.</summary>
    public static uint Successor(ref TStore store, uint node)
    {
        uint right = Child(ref store, store.Links(node).Right);
        if (right != 0)
            return Minimum(ref store, right);
        uint parent = Child(ref store, store.Links(node).Parent);
        while (parent != 0 && store.Links(parent).Right == node)
        {
            node = parent;
            parent = Child(ref store, store.Links(parent).Parent);
        }
        return parent;
    }

    /// <summary>The node before <paramref name="node"/> in key order, or 0.</summary>
    public static uint Predecessor(ref TStore store, uint node)
    {
        uint left = Child(ref store, store.Links(node).Left);
        if (left != 0)
        {
            for (uint right = Child(ref store, store.Links(left).Right); right != 0; right = Child(ref store, store.Links(left).Right))
                left = right;
            return left;
        }
        uint parent = Child(ref store, store.Links(node).Parent);
        while (parent != 0 && store.Links(parent).Left == node)
        {
            node = parent;
            parent = Child(ref store, store.Links(parent).Parent);
        }
        return parent;
    }
}
