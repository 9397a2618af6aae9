using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Locks;

/// <summary>The built-in lock that serves where no platform lock is installed (the word protocol of
/// <see cref="LayerLock"/>: 0 free, 1 held), called directly so the hosted lock other tests install is not in the
/// way.</summary>
public class BuiltInSpinLockTests
{
    [Fact]
    public void A_free_word_is_taken_once_and_a_held_word_is_left_alone()
    {
        int word = 0;
        Assert.True(LayerLock.TryAcquire(ref word));
        Assert.Equal(1, word);
        Assert.False(LayerLock.TryAcquire(ref word));
        Assert.Equal(1, word);
        LayerLock.Release(ref word);
        Assert.Equal(0, word);
        Assert.True(LayerLock.TryAcquire(ref word));
    }

    [Fact]
    public void Spin_takes_a_free_word_at_once()
    {
        int word = 0;
        LayerLock.Spin(ref word);
        Assert.Equal(1, word);
    }

    [Fact]
    public void Spin_waits_while_another_thread_holds_the_word_and_takes_it_once_released()
    {
        int word = 1; // held by "another CPU"
        using var spinning = new ManualResetEventSlim();
        int took = 0;
        var waiter = new Thread(() =>
        {
            spinning.Set();
            LayerLock.Spin(ref word);
            Volatile.Write(ref took, 1);
        });
        waiter.Start();
        spinning.Wait();
        // The waiter cannot have the word while it is held: it is still spinning however long this thread waits.
        Assert.False(waiter.Join(200));
        Assert.Equal(0, Volatile.Read(ref took));
        LayerLock.Release(ref word);
        Assert.True(waiter.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, took);
        Assert.Equal(1, word); // the waiter holds it now
    }
}
