using System.Runtime.InteropServices;
using MioOS.Memory.Heap;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Hosting.Heap;

/// <summary>
/// The hosted heap growth source: hands out ranges of the simulated RAM between a start and a limit, as the PMM
/// plus the VMM's identity mapping will on the kernel. A handle: its state is a small record in that RAM.
/// </summary>
/// <remarks>
/// Policy (the reference model in the tests mirrors it): a request is served exactly, from the lowest-addressed
/// given-back range big enough (taken from its front), else from the bump pointer. A range given back that ends
/// at the bump pointer lowers it (and so do the given-back ranges that then touch it); others are remembered
/// (up to <see cref="MaxReleased"/>, beyond that they are dropped and counted).
/// </remarks>
public readonly unsafe struct ArenaHeapGrowth : IHeapGrowth
{
    /// <summary>Given-back ranges remembered.</summary>
    public const int MaxReleased = 8;

    [StructLayout(LayoutKind.Sequential)]
    private struct State
    {
        public uint Next;
        public uint Limit;
        public uint ReleasedCount;
        public uint Dropped;
        public fixed uint Released[MaxReleased * 2];
    }

    private readonly MemoryWindow _window;
    private readonly uint _state;

    private ArenaHeapGrowth(MemoryWindow window, uint state)
    {
        _window = window;
        _state = state;
    }

    /// <summary>Bytes the state record takes at its address.</summary>
    public static uint StateSize => (uint)sizeof(State);

    /// <summary>Sets up a growth source handing out [<paramref name="start"/>, <paramref name="limit"/>), its
    /// state at <paramref name="stateAddress"/> (outside that range and the heap).</summary>
    public static ArenaHeapGrowth Create(MemoryWindow window, uint stateAddress, uint start, uint limit)
    {
        var growth = new ArenaHeapGrowth(window, stateAddress);
        window.Zero(stateAddress, StateSize);
        ref State s = ref growth.S;
        s.Next = (start + 4095) & ~4095u;
        s.Limit = limit & ~4095u;
        return growth;
    }

    private ref State S => ref *_window.At<State>(_state, MemoryAccess.Write);

    /// <summary>The bump pointer (the lowest address never handed out since the last give-backs).</summary>
    public uint Next => S.Next;

    /// <summary>Given-back ranges that could not be remembered.</summary>
    public uint Dropped => S.Dropped;

    /// <inheritdoc/>
    public bool TryGrow(uint minBytes, out uint start, out uint length)
    {
        ref State s = ref S;
        int best = -1;
        for (int i = 0; i < s.ReleasedCount; i++)
        {
            if (s.Released[i * 2 + 1] >= minBytes && (best < 0 || s.Released[i * 2] < s.Released[best * 2]))
                best = i;
        }
        if (best >= 0)
        {
            start = s.Released[best * 2];
            length = minBytes;
            s.Released[best * 2] += minBytes;
            s.Released[best * 2 + 1] -= minBytes;
            if (s.Released[best * 2 + 1] == 0)
                RemoveAt(ref s, best);
            return true;
        }
        if (s.Limit - s.Next >= minBytes && s.Limit >= s.Next)
        {
            start = s.Next;
            length = minBytes;
            s.Next += minBytes;
            return true;
        }
        start = 0;
        length = 0;
        return false;
    }

    /// <inheritdoc/>
    public void Release(uint start, uint length)
    {
        ref State s = ref S;
        if (start + length == s.Next)
        {
            s.Next = start;
            bool lowered = true;
            while (lowered)
            {
                lowered = false;
                for (int i = 0; i < s.ReleasedCount; i++)
                {
                    if (s.Released[i * 2] + s.Released[i * 2 + 1] == s.Next)
                    {
                        s.Next = s.Released[i * 2];
                        RemoveAt(ref s, i);
                        lowered = true;
                        break;
                    }
                }
            }
            return;
        }
        if (s.ReleasedCount < MaxReleased)
        {
            s.Released[s.ReleasedCount * 2] = start;
            s.Released[s.ReleasedCount * 2 + 1] = length;
            s.ReleasedCount++;
        }
        else
        {
            s.Dropped++;
        }
    }

    private static void RemoveAt(ref State s, int index)
    {
        for (int i = index; i + 1 < s.ReleasedCount; i++)
        {
            s.Released[i * 2] = s.Released[(i + 1) * 2];
            s.Released[i * 2 + 1] = s.Released[(i + 1) * 2 + 1];
        }
        s.ReleasedCount--;
    }
}
