using MioOS.Memory.Hosting.Stress;

namespace MioOS.Memory.Tests.Locks;

/// <summary>Threads on CPUs of their own making mixed calls on one machine's heap, PMM and VMM at once, every access
/// through their own MMU and TLB: every answer right (contents checked), then the audit finds everything given back.
/// Modest counts here; <c>mioos-mm stress</c> runs the long ones.</summary>
public class ContentionStressTests
{
    [Theory]
    [InlineData(2, 4000)]
    [InlineData(4, 2000)]
    [InlineData(8, 1000)]
    public void Threads_contending_on_every_layer_lose_nothing_and_hand_nothing_out_twice(int threads, long callsPerThread)
    {
        StressReport r = ContentionStress.Run(threads, callsPerThread, seed: 12);
        Assert.True(r.Ok, r.Failure);
        Assert.True(r.Calls >= threads * callsPerThread);
        Assert.True(r.HeapCalls > 0 && r.PmmCalls > 0 && r.VmmCalls > 0);
        Assert.True(r.Shootdowns > 0, "no TLB invalidation reached another CPU: the threads did not share the kernel part");
    }
}
