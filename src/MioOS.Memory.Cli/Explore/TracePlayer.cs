using System;
using System.Text.Json.Nodes;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Hosting.Traces;
using KernelHeapGrowth = MioOS.Memory.Heap.PmmHeapGrowth<MioOS.Memory.Virtual.VmmFrameMapper<MioOS.Memory.Hosting.Cpu.SimulatedCpuPort, MioOS.Memory.Virtual.PmmPageTableFrames>>;

namespace MioOS.Memory.Cli.Explore;

/// <summary>
/// A trace played on the page's machine, event by event through the <see cref="TraceStepper{TGrowth}"/> that
/// <c>mioos-mm replay</c> runs on, so after N events its figures are those of <c>replay --events N</c>.
/// </summary>
internal sealed class TracePlayer(string name, TraceEvent[] events, KernelMachine machine)
{
    private readonly TraceStepper<KernelHeapGrowth> _stepper = new(machine.Heap, events);
    private TraceEvent? _last;
    private uint _lastReleased;

    /// <summary>The trace's file name.</summary>
    public string Name { get; } = name;

    /// <summary>Events in the trace.</summary>
    public int Count => events.Length;

    /// <summary>Events played.</summary>
    public long Position => _stepper.Position;

    /// <summary>What the heap answered to the event it refused (the player stops there), or null.</summary>
    public string? Failure { get; private set; }

    /// <summary>Whether console calls changed the machine since the trace was loaded (its figures then include them).</summary>
    public bool Touched { get; set; }

    /// <summary>Plays up to <paramref name="count"/> more events (fewer at the end of the trace or at a refusal).</summary>
    public void Step(long count)
    {
        long end = Math.Min(events.Length, Position + Math.Max(0, count));
        while (Failure is null && Position < end)
        {
            TraceEvent e = events[Position];
            uint released = e.Kind == TraceEventKind.Free ? _stepper.PointerOf(e.Id)
                : e.Kind == TraceEventKind.Realloc && e.OldId >= 0 ? _stepper.PointerOf(e.OldId) : 0;
            try
            {
                _stepper.Step(e);
                _last = e;
                _lastReleased = released;
            }
            catch (ReplayException x)
            {
                Failure = x.Message;
            }
        }
    }

    /// <summary>Where the player is and the figures <c>replay</c> reports, for the page.</summary>
    public JsonObject Json()
    {
        HeapStats s = machine.Heap.Stats();
        HeapCheck check = machine.Heap.CheckIntegrity();
        var o = new JsonObject
        {
            ["name"] = Name,
            ["events"] = events.Length,
            ["position"] = Position,
            ["liveBytes"] = _stepper.LiveBytes,
            ["peakLiveBytes"] = _stepper.PeakLiveBytes,
            ["peakHeapBytes"] = s.PeakInUseExtent,
            ["fragmentationPercent"] = s.FragmentationPerMille / 10.0,
            ["blocks"] = s.Blocks,
            ["freeBlocks"] = s.FreeBlocks,
            ["integrity"] = check.IsOk ? "ok" : $"{check.Status} at 0x{check.Address:X8}",
            ["failure"] = Failure,
            ["touched"] = Touched,
        };
        if (_last is TraceEvent e)
            o["last"] = new JsonObject
            {
                ["number"] = Position,
                ["kind"] = e.Kind.ToString().ToLowerInvariant(),
                ["id"] = e.Id,
                ["bytes"] = e.RequestedBytes,
                ["pointer"] = _stepper.LastPointer,
                ["released"] = _lastReleased,
            };
        return o;
    }
}
