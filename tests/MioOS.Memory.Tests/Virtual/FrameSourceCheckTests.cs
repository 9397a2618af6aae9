using System.Collections.Generic;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>
/// A frame from the frame source that a 32-bit entry cannot hold (not 4 KiB aligned, at or above 4 GiB) or that is
/// the null frame is not used: it goes straight back to the source and the call fails with <see cref="VmmStatus.NoFrame"/>.
/// </summary>
public class FrameSourceCheckTests
{
    private sealed class Script
    {
        public readonly Queue<ulong> Give = new();
        public readonly List<ulong> Freed = new();
    }

    private readonly struct ScriptedFrames : IPageTableFrames
    {
        private readonly Script _script;

        public ScriptedFrames(Script script) => _script = script;

        public bool TryAllocate(out PhysicalAddress frame)
        {
            frame = default;
            if (_script.Give.Count == 0)
                return false;
            frame = new PhysicalAddress(_script.Give.Dequeue());
            return true;
        }

        public void Free(PhysicalAddress frame) => _script.Freed.Add(frame.Value);
    }

    [Theory]
    [InlineData(0x0ul)]              // the null frame
    [InlineData(0x900800ul)]         // below 4 GiB, not 4 KiB aligned
    [InlineData(0x1_0000_0000ul)]    // exactly 4 GiB: bit 32 does not fit a PTE
    [InlineData(0x1_0090_0000ul)]    // above 4 GiB
    public void A_frame_an_entry_cannot_hold_goes_back_and_the_vmm_is_not_made(ulong bad)
    {
        using VmmMachine m = new();
        Script script = new();
        script.Give.Enqueue(bad);
        script.Give.Enqueue(0x900000);
        script.Give.Enqueue(0x901000);
        script.Give.Enqueue(0x902000);
        VmmStatus status = VirtualMemoryManager<SimulatedCpuPort, ScriptedFrames>.Create(
            m.Checked.Window, new SimulatedCpuPort(m.Cpu), new ScriptedFrames(script), out _);
        Assert.Equal(VmmStatus.NoFrame, status);
        Assert.Equal([bad], script.Freed);
    }
}
