using System.Collections.Generic;
using MioOS.Memory.Heap;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Hosting.Machine;

/// <summary>
/// Every layer's integrity walk plus the PMM's ledger read against the layers that hold frames: each heap segment
/// after the first is one <see cref="FrameOwner.HeapSegments"/> allocation of the same range and back, and the
/// <see cref="FrameOwner.PageTables"/> allocations are the VMM's record and directory, one per other address space,
/// and one per page table of the current space. So a frame the heap or the VMM lost (or kept twice) shows here.
/// </summary>
public static class SubsystemAudit
{
    /// <summary>What the audit counted.</summary>
    /// <param name="CallerRuns">Live allocations held by callers of <c>alloc_frame</c>.</param>
    /// <param name="CallerFrames">Frames in them.</param>
    /// <param name="TableFrames">Frames the VMM holds.</param>
    /// <param name="SegmentFrames">Frames the heap's grown segments hold.</param>
    /// <param name="Problems">What does not hold (empty when everything does).</param>
    public sealed record Result(int CallerRuns, ulong CallerFrames, ulong TableFrames, ulong SegmentFrames, IReadOnlyList<string> Problems)
    {
        /// <summary>True when nothing was found.</summary>
        public bool IsOk => Problems.Count == 0;
    }

    /// <summary>Audits <paramref name="machine"/> through its boot CPU's handles. Call it while no other thread uses
    /// the machine (the PMM's cursors read without its lock), and while no address space but the current one holds
    /// user-part page tables (those are not counted).</summary>
    public static Result Check(KernelMachine machine)
    {
        var problems = new List<string>();
        PhysicalMemoryManager pmm = machine.Pc.Pmm;
        var vmm = machine.Paging.Vmm;
        var heap = machine.Heap;

        HeapCheck h = heap.CheckIntegrity();
        if (!h.IsOk)
            problems.Add($"heap integrity: {h.Status} at 0x{h.Address:X8}");
        PmmIntegrity p = pmm.CheckIntegrity();
        if (!p.IsOk)
            problems.Add($"pmm integrity: {p.Status} at 0x{p.Address:X}");

        var segments = new Dictionary<ulong, ulong>();
        for (int i = 1; heap.Segment(i, out uint start, out uint length); i++)
            segments[start] = length;
        int callerRuns = 0, segmentRuns = 0;
        ulong callerFrames = 0, tableFrames = 0, segmentFrames = 0;
        ExtentCursor cursor = pmm.Allocations();
        while (cursor.Next(out PhysicalAddress at, out uint frames))
        {
            if (!pmm.AllocationOwner(at, out FrameOwner owner))
            {
                problems.Add($"allocation at 0x{at.Value:X} has no owner");
                continue;
            }
            switch (owner)
            {
                case FrameOwner.Caller:
                    callerRuns++;
                    callerFrames += frames;
                    break;
                case FrameOwner.PageTables:
                    tableFrames += frames;
                    break;
                case FrameOwner.HeapSegments:
                    segmentRuns++;
                    segmentFrames += frames;
                    if (!segments.TryGetValue(at.Value, out ulong length) || length != (ulong)frames << Frames.Shift)
                        problems.Add($"heap-segment frames at 0x{at.Value:X} (+{frames} frames) are no segment of the heap");
                    break;
            }
        }
        if (segmentRuns != segments.Count)
            problems.Add($"the heap has {segments.Count} grown segments but the PMM holds {segmentRuns} runs for it");
        ulong expectedTables = vmm.Count().PageTables + 2 + vmm.AddressSpaceCount;
        if (tableFrames != expectedTables)
            problems.Add($"the PMM holds {tableFrames} frames for the VMM, which uses {expectedTables} (tables, record, directories)");
        return new Result(callerRuns, callerFrames, tableFrames, segmentFrames, problems);
    }
}
