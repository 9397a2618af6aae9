using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using MioOS.Memory.Heap;
using MioOS.Memory.Hosting;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Misuse;

/// <summary>One misuse and what came of it.</summary>
/// <param name="Layer">heap, PMM or VMM.</param>
/// <param name="Misuse">What was done.</param>
/// <param name="Detected">True when a call (or the MMU) answered it.</param>
/// <param name="When">The first call that answered it, or what was tried without an answer.</param>
/// <param name="Answer">The status (or fault) it answered with.</param>
/// <param name="OthersIntact">True when every other block, run and page kept its contents.</param>
internal sealed record MisuseOutcome(string Layer, string Misuse, bool Detected, string When, string Answer, bool OthersIntact);

/// <summary>
/// The misuse campaign: each misuse on a fresh machine with bystanders on every layer (<see cref="MisuseScene"/>),
/// then the calls that could notice it, in order; the first that answers is when it was detected.
/// </summary>
internal static class MisuseCampaign
{
    public static IEnumerable<MisuseOutcome> Heap()
    {
        yield return Heap("double free", s => { s.Heap.Kfree(s.Victim); }, s => [("the second kfree", () => s.Heap.Kfree(s.Victim))]);
        yield return Heap("krealloc of a freed block", s => { s.Heap.Kfree(s.Victim); },
            s => [("the krealloc", () => Realloc(s.Heap.Krealloc(s.Victim, 64, out HeapStatus st), st))]);
        yield return Heap("interior pointer (block + 8)", _ => { }, s => [("that kfree", () => s.Heap.Kfree(s.Victim + 8))]);
        yield return Heap("misaligned pointer (block + 1)", _ => { }, s => [("that kfree", () => s.Heap.Kfree(s.Victim + 1))]);
        yield return Heap("foreign pointer (a frame run)", _ => { }, s => [("that kfree", () => s.Heap.Kfree((uint)s.MappedRun.Value))]);
        yield return Heap("foreign pointer (memory no segment holds)", _ => { }, s => [("that kfree", () => s.Heap.Kfree(0x01800000))]);
        foreach (MisuseOutcome o in Ranges(Enumerable.Range(1, 64).Select(k => Heap($"overrun of {k} bytes past the block ({MisuseScene.VictimSize} asked for)",
                     s => s.Scribble(s.Victim + MisuseScene.VictimSize, (uint)k, 0xEE), AfterOverrun)), "overrun of {0} past the block"))
            yield return o;
        foreach (MisuseOutcome o in Ranges(Enumerable.Range(1, (int)HeapLayout.HeaderSize).Select(k => Heap($"underrun of {k} bytes into its header",
                     s => s.Scribble(s.Victim - (uint)k, (uint)k, 0xEE), AfterUnderrun)), "underrun of {0} into its header"))
            yield return o;
        yield return Heap("write after free, first 16 bytes of the block", s => { s.Heap.Kfree(s.Victim); s.Scribble(s.Victim, 16, 0xEE); }, AfterFreedWrite);
        yield return Heap("write after free, its last 4 bytes", s => { s.Heap.Kfree(s.Victim); s.Scribble(s.Victim + MisuseScene.VictimSize, 4, 0xEE); }, AfterFreedWrite);
    }

    public static IEnumerable<MisuseOutcome> Pmm()
    {
        yield return Pmm("free_frame of the live page directory", s => Free(s, s.Vmm.KernelDirectory));
        yield return Pmm("free_frame of a heap segment", s =>
        {
            uint big = s.Heap.Kmalloc(4u << 20);
            Assert.NotEqual(0u, big);
            Assert.True(s.Heap.Segment(1, out uint segment, out _));
            return Free(s, new PhysicalAddress(segment));
        });
        yield return Pmm("free_frame of the kernel image", s => Free(s, new PhysicalAddress(s.Machine.Pc.Layout.KernelBase)));
        yield return Pmm("free_frame of the heap area", s => Free(s, new PhysicalAddress(s.Machine.Pc.Layout.HeapStart)));
        yield return Pmm("free_frame of the PMM's metadata", s => Free(s, new PhysicalAddress(s.Pmm.Stats.MetadataBase)));
        yield return Pmm("free_frame of free memory never handed out", s =>
        {
            ExtentCursor free = s.Pmm.FreeExtents(FrameRegion.Low);
            Assert.True(free.Next(out PhysicalAddress start, out uint frames) && frames > 1);
            return Free(s, new PhysicalAddress(start.Value + Frames.Size));
        });
        yield return Pmm("double free_frame", s =>
        {
            Assert.Equal(PmmStatus.Ok, s.Pmm.AllocFrame(1, out PhysicalAddress run));
            Assert.Equal(PmmStatus.Ok, s.Pmm.FreeFrame(run));
            return Free(s, run);
        });
        yield return Pmm("free_frame of a run's second frame", s =>
        {
            Assert.Equal(PmmStatus.Ok, s.Pmm.AllocFrame(3, out PhysicalAddress run));
            return Free(s, new PhysicalAddress(run.Value + Frames.Size));
        });
        yield return Pmm("free_frame of a misaligned address", s =>
        {
            Assert.Equal(PmmStatus.Ok, s.Pmm.AllocFrame(1, out PhysicalAddress run));
            return Free(s, new PhysicalAddress(run.Value + 0x10));
        });
        yield return Pmm("alloc_frame(1, identity_map) with no VMM attached", s =>
        {
            var none = default(NoFrameMapper);
            return s.Pmm.AllocFrame(1, identityMap: true, ref none, out _).ToString();
        });
        yield return Pmm("use of a freed identity-mapped run", s =>
        {
            var mapper = s.Mapper;
            Assert.Equal(PmmStatus.Ok, s.Pmm.AllocFrame(1, identityMap: true, ref mapper, out PhysicalAddress run));
            Assert.Equal(PmmStatus.Ok, s.Pmm.FreeFrame(run, ref mapper));
            return Fault(() => s.Scribble(run.Value, 4, 0xEE));
        });
        yield return Pmm("use of a freed run that was not mapped", s =>
        {
            Assert.Equal(PmmStatus.Ok, s.Pmm.AllocFrame(1, out PhysicalAddress run));
            Assert.Equal(PmmStatus.Ok, s.Pmm.FreeFrame(run));
            s.Machine.Pc.Window.Write(run.Value, 0xEEEEEEEEu); // physical memory: no mapping to fault on
            return null;
        });
    }

    public static IEnumerable<MisuseOutcome> Vmm()
    {
        yield return Vmm("free_page of an unmapped page", s => s.Vmm.FreePage(new VirtualAddress(MisuseScene.PageAt + Frames.Size)));
        yield return Vmm("free_page of a misaligned address", s => s.Vmm.FreePage(new VirtualAddress(MisuseScene.PageAt + 4)));
        yield return Vmm("alloc_page over a mapping", s => s.Vmm.AllocPage(new VirtualAddress(MisuseScene.PageAt), new PhysicalAddress(0x1800000), PageFlags.Writable));
        yield return Vmm("alloc_page_4mib over a page table", s => s.Vmm.AllocPage4MiB(new VirtualAddress(MisuseScene.PageAt), new PhysicalAddress(0x1800000), PageFlags.Writable));
        yield return Vmm("identity_map_region over a mapping", s => s.Vmm.IdentityMapRegion(new PhysicalAddress(MisuseScene.PageAt - Frames.Size),
            new PhysicalAddress(MisuseScene.PageAt + Frames.Size), PageFlags.Writable, IdentityMapPolicy.Small));
        yield return Vmm("free_page of a page table in the tables' own window", s => s.Vmm.FreePage(new VirtualAddress(PagingLayout.TablesBase)));
        yield return Vmm("free_page of the directory in the tables' own window", s => s.Vmm.FreePage(new VirtualAddress(PagingLayout.DirectoryWindow)));
        yield return Vmm("unmap_region over the tables' own window", s => s.Vmm.UnmapRegion(new PhysicalAddress(PagingLayout.TablesBase), new PhysicalAddress(AddressLimits.FourGiB)));
        yield return Vmm("alloc_page into the tables' own window", s => s.Vmm.AllocPage(new VirtualAddress(PagingLayout.TablesBase + Frames.Size), new PhysicalAddress(0x1800000), PageFlags.Writable));
        yield return Vmm("free_page of a scratch page", s => s.Vmm.FreePage(new VirtualAddress(PagingLayout.ScratchPageA)));
    }

    /// <summary>The table rows, markdown.</summary>
    public static string Table(IEnumerable<MisuseOutcome> outcomes)
    {
        var b = new StringBuilder();
        b.AppendLine("| layer | misuse | detected | when | answer | other contents |");
        b.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (MisuseOutcome o in outcomes)
            b.AppendLine($"| {o.Layer} | {o.Misuse} | {(o.Detected ? "yes" : "no")} | {o.When} | {o.Answer} | {(o.OthersIntact ? "intact" : "CHANGED")} |");
        return b.ToString();
    }

    private static (string, Func<object?>)[] AfterOverrun(MisuseScene s) =>
    [
        ("kfree of the block", () => s.Heap.Kfree(s.Victim)),
        ("kfree of the block after it", () => { HeapStatus st = s.Heap.Kfree(s.After); if (st == HeapStatus.Ok) s.Forget(s.After); return st; }),
        ("the integrity walk", () => s.Heap.CheckIntegrity().Status),
    ];

    private static (string, Func<object?>)[] AfterUnderrun(MisuseScene s) =>
    [
        ("kfree of the block", () => s.Heap.Kfree(s.Victim)),
        ("kfree of the block before it", () => { HeapStatus st = s.Heap.Kfree(s.Before); if (st == HeapStatus.Ok) s.Forget(s.Before); return st; }),
        ("the integrity walk", () => s.Heap.CheckIntegrity().Status),
    ];

    private static (string, Func<object?>)[] AfterFreedWrite(MisuseScene s) =>
    [
        ($"the next kmalloc({MisuseScene.VictimSize})", () => s.Heap.Kmalloc(MisuseScene.VictimSize, out HeapStatus st) == 0 ? st : HeapStatus.Ok),
        ("the integrity walk", () => s.Heap.CheckIntegrity().Status),
    ];

    private static string Where(MisuseScene s, uint address) =>
        address == s.Victim - HeapLayout.HeaderSize ? "the block"
        : address == s.After - HeapLayout.HeaderSize ? "the block after it"
        : address == s.Before - HeapLayout.HeaderSize ? "the block before it"
        : $"0x{address:X8}";

    private static object? Realloc(uint result, HeapStatus status) => result == 0 ? status : null;

    private static MisuseOutcome Heap(string misuse, Action<MisuseScene> misdo, Func<MisuseScene, (string When, Func<object?> Step)[]> probes)
    {
        using var s = new MisuseScene();
        string? fault = Fault(() => misdo(s));
        if (fault != null)
            return new MisuseOutcome("heap", misuse, true, "the misuse itself (the MMU)", fault, s.BystandersIntact());
        var tried = new List<string>();
        foreach ((string when, Func<object?> step) in probes(s))
        {
            string? answer = null;
            uint reported = s.Heap.Stats().MisuseCount;
            string? stepFault = Fault(() => answer = step()?.ToString());
            answer = stepFault ?? answer;
            if (answer != null && answer != nameof(HeapStatus.Ok))
                return new MisuseOutcome("heap", misuse, true, when, answer, s.BystandersIntact());
            // A call that repairs what it found answers Ok but reports the damage (kind and address, in the heap's stats).
            HeapStats stats = s.Heap.Stats();
            if (stats.MisuseCount != reported)
                return new MisuseOutcome("heap", misuse, true, when, $"Ok; {stats.LastMisuse} reported at {Where(s, stats.LastMisuseAddress)}", s.BystandersIntact());
            tried.Add(when);
        }
        return new MisuseOutcome("heap", misuse, false, "not by " + string.Join(", ", tried), "Ok", s.BystandersIntact());
    }

    private static MisuseOutcome Pmm(string misuse, Func<MisuseScene, string?> misdo) => OneCall("PMM", misuse, misdo);

    private static MisuseOutcome Vmm(string misuse, Func<MisuseScene, VmmStatus> misdo) => OneCall("VMM", misuse, s => misdo(s).ToString());

    /// <summary>A misuse that is one call: detected when it answers anything but Ok (null: nothing could answer).</summary>
    private static MisuseOutcome OneCall(string layer, string misuse, Func<MisuseScene, string?> misdo)
    {
        using var s = new MisuseScene();
        string? answer = null;
        string? fault = Fault(() => answer = misdo(s));
        answer = fault ?? answer;
        bool detected = answer != null && answer != "Ok";
        bool intact = s.BystandersIntact() && Audit(s);
        return new MisuseOutcome(layer, misuse, detected, detected ? (fault != null ? "the access (the MMU)" : "that call") : "never", answer ?? "none", intact);
    }

    private static bool Audit(MisuseScene s) => MioOS.Memory.Hosting.Machine.SubsystemAudit.Check(s.Machine).IsOk;

    private static string Free(MisuseScene s, PhysicalAddress at)
    {
        var mapper = s.Mapper;
        return s.Pmm.FreeFrame(at, ref mapper).ToString();
    }

    /// <summary>Runs <paramref name="action"/>; a fault it takes (as the kernel would) is the answer.</summary>
    private static string? Fault(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (PageFaultException e)
        {
            return $"#PF, error code {(uint)e.Fault.ErrorCode:X}";
        }
        catch (MemoryWindowViolationException)
        {
            return "access outside memory";
        }
    }

    /// <summary>Merges rows of consecutive byte counts with the same outcome into one ("1-4 bytes").</summary>
    private static IEnumerable<MisuseOutcome> Ranges(IEnumerable<MisuseOutcome> perCount, string format)
    {
        MisuseOutcome? open = null;
        int first = 0, last = 0, k = 0;
        foreach (MisuseOutcome o in perCount)
        {
            k++;
            if (open != null && o with { Misuse = "" } == open with { Misuse = "" })
            {
                last = k;
                continue;
            }
            if (open != null)
                yield return open with { Misuse = string.Format(format, Bytes(first, last)) };
            open = o;
            first = last = k;
        }
        if (open != null)
            yield return open with { Misuse = string.Format(format, Bytes(first, last)) };
    }

    private static string Bytes(int first, int last) => first == last ? $"{first} byte{(first == 1 ? "" : "s")}" : $"{first}-{last} bytes";
}
