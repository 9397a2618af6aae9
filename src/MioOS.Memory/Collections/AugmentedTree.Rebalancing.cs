namespace MioOS.Memory.Collections;

// Keeping the tree an AVL tree with correct subtree maxima: heights, rotations, relinking.
public static partial class AugmentedTree<TStore>
{
    private static uint Max(uint a, uint b) => a > b ? a : b;

    /// <summary>The height of the subtree a link leads to (0 for none), the link followed.</summary>
    private static uint HeightOf(ref TStore store, uint link) => link == 0 ? 0 : store.Links(store.Follow(link)).Height;

    /// <summary>Recomputes the node's height and subtree maximum from its children; true when either changed.</summary>
    private static bool Update(ref TStore store, uint node) => Update(ref store, node, 0, 0, out _);

    /// <summary><see cref="Update(ref TStore, uint)"/>, also giving the node's balance (left height minus right
    /// height) from the same reads of its children. <paramref name="held"/> and <paramref name="held2"/> are nodes the
    /// caller already holds (the child a walk up came from, the children a relink followed; 0 for none): a link equal to
    /// one of them is not followed again.</summary>
    private static bool Update(ref TStore store, uint node, uint held, uint held2, out int balance)
    {
        ref TreeLinks links = ref store.Links(node);
        uint max = store.Size(node);
        uint leftHeight = 0, rightHeight = 0;
        uint leftLink = links.Left, rightLink = links.Right;
        if (leftLink != 0)
        {
            ref TreeLinks left = ref store.Links(leftLink == held || leftLink == held2 ? leftLink : store.Follow(leftLink));
            leftHeight = left.Height;
            max = Max(max, left.MaxSize);
        }
        if (rightLink != 0)
        {
            ref TreeLinks right = ref store.Links(rightLink == held || rightLink == held2 ? rightLink : store.Follow(rightLink));
            rightHeight = right.Height;
            max = Max(max, right.MaxSize);
        }
        uint height = Max(leftHeight, rightHeight) + 1;
        balance = (int)leftHeight - (int)rightHeight;
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
    /// unchanged (nothing above depends on more), but not before <paramref name="mustReach"/> (0: anywhere).
    /// <paramref name="held"/>: a child of <paramref name="node"/> the caller holds (0 for none).</summary>
    private static void Rebalance(ref TStore store, ref uint root, uint node, uint mustReach, uint held)
    {
        bool reached = mustReach == 0;
        while (node != 0)
        {
            bool changed = Update(ref store, node, held, 0, out int balance);
            if (node == mustReach)
                reached = true;
            if (balance > 1)
            {
                uint left = store.Follow(store.Links(node).Left);
                if (Balance(ref store, left) < 0)
                    RotateLeft(ref store, ref root, left);
                node = RotateRight(ref store, ref root, node);
            }
            else if (balance < -1)
            {
                uint right = store.Follow(store.Links(node).Right);
                if (Balance(ref store, right) > 0)
                    RotateRight(ref store, ref root, right);
                node = RotateLeft(ref store, ref root, node);
            }
            else if (!changed && reached)
            {
                return;
            }
            held = node;
            node = Child(ref store, store.Links(node).Parent);
        }
    }

    private static uint RotateLeft(ref TStore store, ref uint root, uint x)
    {
        ref TreeLinks xl = ref store.Links(x);
        uint y = store.Follow(xl.Right);
        ref TreeLinks yl = ref store.Links(y);
        uint moved = Child(ref store, yl.Left);
        xl.Right = moved;
        if (moved != 0)
            store.Links(moved).Parent = x;
        Transplant(ref store, ref root, x, y);
        yl.Left = x;
        xl.Parent = y;
        Update(ref store, x);
        Update(ref store, y, x, 0, out _);
        return y;
    }

    private static uint RotateRight(ref TStore store, ref uint root, uint x)
    {
        ref TreeLinks xl = ref store.Links(x);
        uint y = store.Follow(xl.Left);
        ref TreeLinks yl = ref store.Links(y);
        uint moved = Child(ref store, yl.Right);
        xl.Left = moved;
        if (moved != 0)
            store.Links(moved).Parent = x;
        Transplant(ref store, ref root, x, y);
        yl.Right = x;
        xl.Parent = y;
        Update(ref store, x);
        Update(ref store, y, x, 0, out _);
        return y;
    }

    /// <summary>Makes <paramref name="replacement"/> (possibly 0; a node the tree holds, followed already) take
    /// <paramref name="node"/>'s place under its parent.</summary>
    private static void Transplant(ref TStore store, ref uint root, uint node, uint replacement)
    {
        uint parent = Child(ref store, store.Links(node).Parent);
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
