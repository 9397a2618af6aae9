using System.Collections.Generic;
using System.Linq;
using CsCheck;
using MioOS.Memory.Collections;

namespace MioOS.Memory.Tests.Collections;

/// <summary>Nodes in arrays: id n has key Keys[n] and size Sizes[n]. With <see cref="Held"/> set, it also checks the
/// tree's side of <see cref="ITreeNodeStore.Follow"/>: every node the tree reads is one it was handed (put in
/// <see cref="Held"/> by the test) or one it followed.</summary>
internal struct ArrayStore : ITreeNodeStore
{
    public TreeLinks[] Nodes;
    public uint[] Keys;
    public uint[] Sizes;
    public HashSet<uint>? Held;

    public ArrayStore(int capacity)
    {
        Nodes = new TreeLinks[capacity + 1];
        Keys = new uint[capacity + 1];
        Sizes = new uint[capacity + 1];
    }

    public ref TreeLinks Links(uint node) => ref Nodes[Touch(node)];
    public uint Key(uint node) => Keys[Touch(node)];
    public uint Size(uint node) => Sizes[Touch(node)];

    public uint Follow(uint link)
    {
        Assert.NotEqual(0u, link); // the tree follows 0 only where a node must be, which never happens in a sound tree
        Held?.Add(link);
        return link;
    }

    private uint Touch(uint node)
    {
        if (Held != null && !Held.Contains(node))
            Assert.Fail($"node {node} dereferenced without being handed in or followed");
        return node;
    }
}

public class AugmentedTreeTests
{
    private sealed class Tree
    {
        public ArrayStore Store;
        public uint Root;
        public readonly SortedDictionary<uint, uint> NodeOfKey = new(); // the reference: key -> node id
        private uint _nextId = 1;

        public Tree(int capacity) => Store = new ArrayStore(capacity) { Held = new HashSet<uint>() };

        /// <summary>Starts a call: the tree may read the root and <paramref name="nodes"/>, and what it follows.</summary>
        private void Hold(params uint[] nodes)
        {
            Store.Held!.Clear();
            Store.Held.Add(Root);
            foreach (uint n in nodes)
                Store.Held.Add(n);
        }

        public void Insert(uint key, uint size)
        {
            uint id = _nextId++;
            Store.Keys[id] = key;
            Store.Sizes[id] = size;
            Hold(id);
            AugmentedTree<ArrayStore>.Insert(ref Store, ref Root, id);
            NodeOfKey.Add(key, id);
        }

        /// <summary>Inserts through <see cref="AugmentedTree{TStore}.InsertAfter"/> when a lower key is present, the
        /// floor handed in as a caller that has just searched for it would.</summary>
        public void InsertAfterFloor(uint key, uint size)
        {
            uint floor = NodeOfKey.Where(kv => kv.Key < key).Select(kv => kv.Value).LastOrDefault();
            if (floor == 0)
            {
                Insert(key, size);
                return;
            }
            uint id = _nextId++;
            Store.Keys[id] = key;
            Store.Sizes[id] = size;
            Hold(id, floor);
            AugmentedTree<ArrayStore>.InsertAfter(ref Store, ref Root, id, floor);
            NodeOfKey.Add(key, id);
        }

        public void Remove(uint key)
        {
            Hold(NodeOfKey[key]);
            AugmentedTree<ArrayStore>.Remove(ref Store, ref Root, NodeOfKey[key]);
            NodeOfKey.Remove(key);
        }

        public void Resize(uint key, uint size)
        {
            uint id = NodeOfKey[key];
            uint old = Store.Sizes[id];
            Store.Sizes[id] = size;
            Hold(id);
            // A growth may take the cheaper walk that reads no sibling; the validation after every step checks both.
            if (size >= old)
                AugmentedTree<ArrayStore>.SizeGrew(ref Store, id, size);
            else
                AugmentedTree<ArrayStore>.SizeChanged(ref Store, id);
        }

        /// <summary>Moves the node of <paramref name="key"/> to a fresh id (as a heap block moving in memory).</summary>
        public void Replace(uint key, uint newKey, uint size)
        {
            uint id = NodeOfKey[key];
            uint fresh = _nextId++;
            Store.Keys[fresh] = newKey;
            Store.Sizes[fresh] = size;
            Hold(id, fresh);
            AugmentedTree<ArrayStore>.Replace(ref Store, ref Root, id, fresh);
            NodeOfKey.Remove(key);
            NodeOfKey.Add(newKey, fresh);
        }

        public void Verify()
        {
            Hold();
            Assert.Equal(NodeOfKey.Count, AugmentedTree<ArrayStore>.Validate(ref Store, Root, NodeOfKey.Count + 1));
            var keys = NodeOfKey.Keys.ToList();
            // In-order walk both ways.
            var forward = new List<uint>();
            for (uint n = AugmentedTree<ArrayStore>.Minimum(ref Store, Root); n != 0; n = AugmentedTree<ArrayStore>.Successor(ref Store, n))
                forward.Add(Store.Keys[n]);
            Assert.Equal(keys, forward);
            if (keys.Count > 0)
            {
                uint last = NodeOfKey[keys[^1]];
                Store.Held!.Add(last); // the walk back starts from a node the test hands in
                var backward = new List<uint>();
                for (uint n = last; n != 0; n = AugmentedTree<ArrayStore>.Predecessor(ref Store, n))
                    backward.Add(Store.Keys[n]);
                backward.Reverse();
                Assert.Equal(keys, backward);
            }
        }

        public void CheckQueries(uint size, uint key)
        {
            Hold();
            var fits = NodeOfKey.Where(kv => Store.Sizes[kv.Value] >= size).Select(kv => kv.Value).ToList();
            uint lowest = AugmentedTree<ArrayStore>.LowestFit(ref Store, Root, size);
            Assert.Equal(fits.Count == 0 ? 0u : fits[0], lowest);
            var chain = new List<uint>();
            for (uint n = lowest; n != 0; n = AugmentedTree<ArrayStore>.NextFit(ref Store, n, size))
                chain.Add(n);
            Assert.Equal(fits, chain);
            uint floor = NodeOfKey.Where(kv => kv.Key <= key).Select(kv => kv.Value).LastOrDefault();
            uint ceiling = NodeOfKey.Where(kv => kv.Key >= key).Select(kv => kv.Value).FirstOrDefault();
            Assert.Equal(floor, AugmentedTree<ArrayStore>.Floor(ref Store, Root, key));
            Assert.Equal(ceiling, AugmentedTree<ArrayStore>.Ceiling(ref Store, Root, key));
            AugmentedTree<ArrayStore>.Neighbours(ref Store, Root, key, out uint below, out uint above);
            Assert.Equal((floor, ceiling), (below, above));
            Assert.Equal(NodeOfKey.GetValueOrDefault(key), AugmentedTree<ArrayStore>.Find(ref Store, Root, key));
        }
    }

    [Fact]
    public void Empty_tree_answers_nothing()
    {
        var t = new Tree(4);
        t.Verify();
        t.CheckQueries(0, 5);
        Assert.Equal(0u, AugmentedTree<ArrayStore>.Minimum(ref t.Store, t.Root));
    }

    [Fact]
    public void Ascending_and_descending_inserts_stay_balanced()
    {
        var up = new Tree(1024);
        var down = new Tree(1024);
        for (uint i = 1; i <= 1000; i++)
        {
            up.Insert(i * 8, i);
            down.Insert((1001 - i) * 8, i);
        }
        up.Verify();
        down.Verify();
        // AVL: height at most 1.44 log2(n + 2).
        Assert.True(up.Store.Nodes[up.Root].Height <= 14);
        Assert.True(down.Store.Nodes[down.Root].Height <= 14);
        Assert.Equal(1000u, up.Store.Nodes[up.Root].MaxSize);
    }

    [Fact]
    public void Random_operations_match_a_sorted_dictionary()
    {
        Gen.Select(Gen.Int[0, 9], Gen.UInt[0, 400], Gen.UInt[0, 1000], Gen.UInt[0, 400]).Array[1, 400].Sample(ops =>
        {
            var t = new Tree(ops.Length + 1);
            foreach (var (kind, key, size, query) in ops)
            {
                uint k = key * 4;
                bool present = t.NodeOfKey.ContainsKey(k);
                switch (kind)
                {
                    case <= 2 when !present:
                        t.Insert(k, size);
                        break;
                    case <= 4 when !present:
                        t.InsertAfterFloor(k, size);
                        break;
                    case <= 6 when present:
                        t.Remove(k);
                        break;
                    case 7 when present:
                        t.Resize(k, size);
                        break;
                    case 8 when present && !t.NodeOfKey.ContainsKey(k + 1):
                        t.Replace(k, k + 1, size); // key moves, order kept (keys are multiples of 4)
                        break;
                    case 9 when t.NodeOfKey.Count > 0:
                        t.Remove(t.NodeOfKey.Keys.ElementAt((int)(query % t.NodeOfKey.Count)));
                        break;
                }
                t.Verify();
                t.CheckQueries(size, query * 4 + (uint)kind % 3);
            }
        }, iter: 200, threads: 1);
    }

    [Fact]
    public void Validate_rejects_broken_links_and_maxima()
    {
        var t = new Tree(16);
        for (uint i = 1; i <= 10; i++)
            t.Insert(i * 10, i);
        t.Store.Nodes[t.Root].MaxSize = 3;
        Assert.Equal(-1, AugmentedTree<ArrayStore>.Validate(ref t.Store, t.Root, 100));
        t.Store.Nodes[t.Root].MaxSize = 10;
        Assert.Equal(10, AugmentedTree<ArrayStore>.Validate(ref t.Store, t.Root, 100));
        uint left = t.Store.Nodes[t.Root].Left;
        t.Store.Nodes[left].Parent = 0;
        Assert.Equal(-1, AugmentedTree<ArrayStore>.Validate(ref t.Store, t.Root, 100));
    }
}
