using MioOS.Memory.Collections;

namespace MioOS.Memory.Tests.Collections;

/// <summary>
/// <see cref="AugmentedTree{TStore}.Validate"/> is what the heap's and the PMM's integrity walks trust: a valid tree
/// gives its node count, and each kind of damage its contract names (parent links, key order, heights, balance,
/// subtree maxima, more nodes than allowed) gives -1. The trees are laid out by hand, so each one is broken in
/// exactly one way.
/// </summary>
public class TreeValidationTests
{
    /// <summary>Nodes 1..n; keys 10 x id unless set; sizes = id.</summary>
    private static ArrayStore Store(int n)
    {
        var s = new ArrayStore(n);
        for (uint id = 1; id <= n; id++)
        {
            s.Keys[id] = 10 * id;
            s.Sizes[id] = id;
        }
        return s;
    }

    private static void Link(ref ArrayStore s, uint node, uint left, uint right, uint height, uint maxSize)
    {
        s.Nodes[node].Left = left;
        s.Nodes[node].Right = right;
        s.Nodes[node].Height = height;
        s.Nodes[node].MaxSize = maxSize;
        if (left != 0)
            s.Nodes[left].Parent = node;
        if (right != 0)
            s.Nodes[right].Parent = node;
    }

    /// <summary>The perfect tree of 7: 4 at the root, 2 and 6 below, leaves 1, 3, 5, 7 (keys 10..70).</summary>
    private static ArrayStore Perfect()
    {
        var s = Store(7);
        foreach (uint leaf in new uint[] { 1, 3, 5, 7 })
            Link(ref s, leaf, 0, 0, 1, leaf);
        Link(ref s, 2, 1, 3, 2, 3);
        Link(ref s, 6, 5, 7, 2, 7);
        Link(ref s, 4, 2, 6, 3, 7);
        return s;
    }

    private static long Validate(ref ArrayStore s, uint root, long maxNodes = 100) =>
        AugmentedTree<ArrayStore>.Validate(ref s, root, maxNodes);

    [Fact]
    public void A_valid_tree_gives_its_node_count_and_an_empty_one_zero()
    {
        var s = Perfect();
        Assert.Equal(7, Validate(ref s, 4));
        Assert.Equal(0, Validate(ref s, 0));
        var single = Store(1);
        Link(ref single, 1, 0, 0, 1, 1);
        Assert.Equal(1, Validate(ref single, 1));
    }

    [Fact]
    public void Leaning_by_one_level_either_way_is_valid()
    {
        // 2 over a left child 1; 1 over a right child 2.
        var left = Store(2);
        Link(ref left, 1, 0, 0, 1, 1);
        Link(ref left, 2, 1, 0, 2, 2);
        Assert.Equal(2, Validate(ref left, 2));
        var right = Store(2);
        Link(ref right, 2, 0, 0, 1, 2);
        Link(ref right, 1, 0, 2, 2, 2);
        Assert.Equal(2, Validate(ref right, 1));
    }

    [Fact]
    public void More_nodes_than_allowed_is_refused_and_exactly_as_many_is_not()
    {
        var s = Perfect();
        Assert.Equal(7, Validate(ref s, 4, maxNodes: 7));
        Assert.Equal(-1, Validate(ref s, 4, maxNodes: 6));
    }

    [Fact]
    public void A_root_with_a_parent_is_refused()
    {
        var s = Perfect();
        s.Nodes[4].Parent = 7;
        Assert.Equal(-1, Validate(ref s, 4));
    }

    [Theory]
    [InlineData(3u, 20u)] // equal to the key before it
    [InlineData(3u, 15u)] // below the key before it
    [InlineData(7u, 60u)] // the last key equal to the one before it
    public void Keys_not_strictly_increasing_in_order_are_refused(uint node, uint key)
    {
        var s = Perfect();
        s.Keys[node] = key;
        Assert.Equal(-1, Validate(ref s, 4));
    }

    [Theory]
    [InlineData(5u)] // a left leaf
    [InlineData(6u)] // an inner node
    [InlineData(3u)] // a right leaf
    public void A_lost_parent_link_is_refused(uint node)
    {
        var s = Perfect();
        s.Nodes[node].Parent = 0;
        Assert.Equal(-1, Validate(ref s, 4));
    }

    [Fact]
    public void A_parent_link_to_a_node_that_does_not_hold_it_is_refused()
    {
        var s = Perfect();
        s.Nodes[3].Parent = 6; // 3 is 2's right child; 6 holds 5 and 7
        Assert.Equal(-1, Validate(ref s, 4));
    }

    [Theory]
    [InlineData(1u, 2u)] // a leaf must be 1
    [InlineData(2u, 3u)] // one more than its children
    [InlineData(4u, 2u)] // the root, too low
    [InlineData(4u, 4u)] // the root, too high
    public void A_wrong_height_is_refused(uint node, uint height)
    {
        var s = Perfect();
        s.Nodes[node].Height = height;
        Assert.Equal(-1, Validate(ref s, 4));
    }

    [Theory]
    [InlineData(1u, 2u)] // a leaf's maximum is its own size
    [InlineData(2u, 2u)] // below its right child's
    [InlineData(2u, 4u)] // above everything in it
    [InlineData(6u, 6u)] // below its right child's
    [InlineData(4u, 6u)] // the root's, below the largest in the tree
    public void A_wrong_subtree_maximum_is_refused(uint node, uint maxSize)
    {
        var s = Perfect();
        s.Nodes[node].MaxSize = maxSize;
        Assert.Equal(-1, Validate(ref s, 4));
    }

    [Fact]
    public void A_maximum_from_the_left_child_is_checked_too()
    {
        // 1 (size 9) under 2 (size 2): 2's maximum must be 9.
        var s = Store(2);
        s.Sizes[1] = 9;
        Link(ref s, 1, 0, 0, 1, 9);
        Link(ref s, 2, 1, 0, 2, 9);
        Assert.Equal(2, Validate(ref s, 2));
        s.Nodes[2].MaxSize = 2;
        Assert.Equal(-1, Validate(ref s, 2));
    }

    [Fact]
    public void Leaning_by_two_levels_either_way_is_refused_even_with_true_heights_and_maxima()
    {
        // 3 -> 2 -> 1, all left children; and 1 -> 2 -> 3, all right children.
        var left = Store(3);
        Link(ref left, 1, 0, 0, 1, 1);
        Link(ref left, 2, 1, 0, 2, 2);
        Link(ref left, 3, 2, 0, 3, 3);
        Assert.Equal(-1, Validate(ref left, 3));
        var right = Store(3);
        Link(ref right, 3, 0, 0, 1, 3);
        Link(ref right, 2, 0, 3, 2, 3);
        Link(ref right, 1, 0, 2, 3, 3);
        Assert.Equal(-1, Validate(ref right, 1));
    }
}
