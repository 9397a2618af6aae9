using System.Threading;
using System.Threading.Tasks;
using MioOS.Memory.Hosting.Locks;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Locks;

/// <summary>The lock hook as the hosted platform installs it: mutual exclusion between threads, the one order
/// (heap, VMM, PMM) checked on every thread, and the PMM calling its frame mapper with its own lock dropped.</summary>
public unsafe class LayerLockTests
{
    public LayerLockTests() => HostedLock.Install();

    [Fact]
    public void The_hosted_lock_is_the_installed_one()
    {
        Assert.True(LayerLock.IsInstalled);
    }

    [Fact]
    public void Threads_that_take_one_word_never_overlap()
    {
        const int threads = 4, rounds = 20_000;
        int word = 0;
        long counter = 0; // incremented with plain reads and writes: only the lock keeps increments from being lost
        int inside = 0, overlaps = 0;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            for (int i = 0; i < rounds; i++)
            {
                uint token = LayerLock.Enter(ref word, LockRank.Heap);
                if (Interlocked.Increment(ref inside) != 1)
                    Interlocked.Increment(ref overlaps);
                counter = counter + 1;
                Interlocked.Decrement(ref inside);
                LayerLock.Exit(ref word, LockRank.Heap, token);
            }
        });
        Assert.Equal(0, overlaps);
        Assert.Equal((long)threads * rounds, counter);
        Assert.Equal(0, word);
    }

    [Theory]
    [InlineData(LockRank.Pmm, LockRank.Vmm)]
    [InlineData(LockRank.Pmm, LockRank.Heap)]
    [InlineData(LockRank.Vmm, LockRank.Heap)]
    [InlineData(LockRank.Vmm, LockRank.Vmm)]
    public void A_lock_taken_against_the_order_or_twice_is_refused(LockRank first, LockRank second)
    {
        int a = 0, b = 0;
        uint token = LayerLock.Enter(ref a, first);
        try
        {
            LockOrderException e = Assert.Throws<LockOrderException>(() => LayerLock.Enter(ref b, second));
            Assert.Equal(second, e.Taking);
            Assert.Equal(first, e.Held);
            Assert.Equal(0, b); // refused before the word was touched
        }
        finally
        {
            LayerLock.Exit(ref a, first, token);
        }
    }

    [Fact]
    public void Locks_taken_in_the_order_nest()
    {
        int heap = 0, vmm = 0, pmm = 0;
        uint h = LayerLock.Enter(ref heap, LockRank.Heap);
        uint v = LayerLock.Enter(ref vmm, LockRank.Vmm);
        uint p = LayerLock.Enter(ref pmm, LockRank.Pmm);
        Assert.Equal((1, 1, 1), (heap, vmm, pmm));
        LayerLock.Exit(ref pmm, LockRank.Pmm, p);
        // With the PMM's lock dropped the PMM may be entered again: what the PMM does around its frame mapper.
        p = LayerLock.Enter(ref pmm, LockRank.Pmm);
        LayerLock.Exit(ref pmm, LockRank.Pmm, p);
        LayerLock.Exit(ref vmm, LockRank.Vmm, v);
        LayerLock.Exit(ref heap, LockRank.Heap, h);
        Assert.Equal((0, 0, 0), (heap, vmm, pmm));
    }

    /// <summary>A frame mapper that, while the PMM maps or unmaps a run, calls the PMM back: the first call frees the
    /// run being mapped (or unmapped) again, the second allocates a frame and frees it. Had the PMM held its lock, the
    /// hosted lock would refuse the call (PMM inside PMM).</summary>
    private struct ReenteringMapper(PhysicalMemoryManager pmm) : IFrameMapper
    {
        public PmmStatus FreeDuringMap, FreeDuringUnmap, AllocDuringMap;

        public readonly bool IsAttached => true;

        public bool MapIdentity(PhysicalAddress start, ulong length)
        {
            FreeDuringMap = pmm.FreeFrame(start);
            AllocDuringMap = pmm.AllocFrame(1, out PhysicalAddress other);
            if (AllocDuringMap == PmmStatus.Ok)
                pmm.FreeFrame(other);
            return true;
        }

        public void UnmapIdentity(PhysicalAddress start, ulong length) => FreeDuringUnmap = pmm.FreeFrame(start);
    }

    [Fact]
    public void The_pmm_calls_its_frame_mapper_without_its_lock_and_refuses_a_free_of_the_run_in_between()
    {
        using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.Default);
        PhysicalMemoryManager pmm = pc.Pmm;
        PmmStats before = pmm.Stats;
        var mapper = new ReenteringMapper(pmm);

        Assert.Equal(PmmStatus.Ok, pmm.AllocFrame(3, identityMap: true, ref mapper, out PhysicalAddress run));
        Assert.Equal(PmmStatus.NotAllocated, mapper.FreeDuringMap); // not handed out yet
        Assert.Equal(PmmStatus.Ok, mapper.AllocDuringMap);
        Assert.Equal(3u, pmm.AllocationLength(run));

        Assert.Equal(PmmStatus.Ok, pmm.FreeFrame(run, ref mapper));
        Assert.Equal(PmmStatus.AlreadyFree, mapper.FreeDuringUnmap); // being freed
        PmmStats after = pmm.Stats;
        Assert.Equal(before.FreeFramesLow, after.FreeFramesLow);
        Assert.Equal(before.Allocations, after.Allocations);
        Assert.Equal(before.DoubleFrees + 1, after.DoubleFrees);
        Assert.True(pmm.CheckIntegrity().IsOk);
    }
}
