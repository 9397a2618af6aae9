using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>
/// Random map/unmap/identity-map sequences against a plain dictionary model of the address space. After every
/// step: the status is the one the model predicts, every address the model knows translates identically
/// through the simulated MMU (TLB included), every probed address it does not know faults, a failed step left
/// the tables byte for byte as they were, page tables exist exactly where 4 KiB pages do, and no frame leaks.
/// </summary>
public class VmmPropertyTests
{
    private const uint FirstSlot = 0x100; // 0x40000000
    private const uint Slots = 4;
    private static readonly uint[] Indexes = [0, 1, 2, 7, 511, 1021, 1022, 1023];
    private static readonly ulong[] LargeFrames =
        [0x400000, 0xC00000, 0x7FC00000, 0xFFC00000, 0x1_0000_0000, 0x3_0040_0000, 0xF_FFC0_0000, 0x10_0000_0000, 0xFF_FFC0_0000, 0x100_0000_0000];
    private static readonly uint[] RunLengths = [1, 2, 3, 1023, 1024, 1025, 2048, 2053];
    private static readonly PageFlags[] FlagChoices =
        [PageFlags.Writable, PageFlags.User, PageFlags.WriteThrough, PageFlags.CacheDisable, PageFlags.Pat, PageFlags.Global];

    public enum Kind { Map4K, Map4M, Free, IdentityMap, UnmapRegion }

    public sealed record Op(Kind Kind, uint Slot, uint Index, ulong Phys, PageFlags Flags, uint Pages, bool BestFit)
    {
        public uint Virt => (FirstSlot + Slot) << 22 | Index << 12;

        public override string ToString() => Kind switch
        {
            Kind.Map4K => $"Map4K(0x{Virt:X8} -> 0x{Phys:X}, {Flags})",
            Kind.Map4M => $"Map4M(0x{(FirstSlot + Slot) << 22:X8} -> 0x{Phys:X}, {Flags})",
            Kind.Free => $"Free(0x{Virt:X8})",
            Kind.IdentityMap => $"Identity(0x{Virt:X8}, {Pages} pages, {(BestFit ? "best fit" : "4K")})",
            _ => $"Unmap(0x{Virt:X8}, {Pages} pages)",
        };
    }

    private static readonly Gen<PageFlags> GenFlags =
        Gen.Bool.Array[FlagChoices.Length].Select(bits => FlagChoices.Where((_, i) => bits[i]).Aggregate(PageFlags.None, (a, f) => a | f));

    private static readonly Gen<Op> GenOp =
        Gen.Select(Gen.Int[0, 99], Gen.UInt[0, Slots - 1], Gen.Int[0, Indexes.Length - 1], Gen.UInt[0, 0xFFFFF], Gen.Int[0, LargeFrames.Length - 1],
            GenFlags, Gen.Int[0, RunLengths.Length - 1], Gen.Bool)
        .Select((k, slot, idx, frame, large, flags, run, bestFit) => k switch
        {
            < 35 => new Op(Kind.Map4K, slot, Indexes[idx], (ulong)frame << 12, flags, 1, false),
            < 45 => new Op(Kind.Map4M, slot, 0, LargeFrames[large], flags, 1024, false),
            < 75 => new Op(Kind.Free, slot, idx == 3 ? 0 : Indexes[idx], 0, flags, 1, false),
            < 90 => new Op(Kind.IdentityMap, slot, Indexes[idx], 0, flags, RunLengths[run], bestFit),
            _ => new Op(Kind.UnmapRegion, slot, Indexes[idx], 0, flags, RunLengths[run], false),
        });

    private static readonly CpuModel[] Models = [CpuModel.Qemu32, CpuModel.Max36, CpuModel.Max40, CpuModel.NoPse];

    /// <summary>The reference: which pages are mapped where, nothing else.</summary>
    private sealed class Model(CpuModel cpu)
    {
        public readonly Dictionary<uint, (ulong Phys, PageFlags Flags)> Small = new();
        public readonly Dictionary<uint, (ulong Phys, PageFlags Flags)> Large = new(); // by directory slot
        private readonly int _m = PageDirectoryEntry.LargePageAddressBits(cpu.Features);
        private readonly bool _pse = cpu.Features.Has(CpuFeatureFlags.Pse);

        private bool SlotHasSmall(uint slot) => Small.Keys.Any(v => v >> 22 == slot);

        public int TablesInTestSlots => Small.Keys.Select(v => v >> 22).Distinct().Count(); // runs may spill one slot past the test slots

        private static PageFlags Stored(PageFlags f) =>
            (f & (PageFlags.Writable | PageFlags.User | PageFlags.WriteThrough | PageFlags.CacheDisable | PageFlags.Pat | PageFlags.Global)) | PageFlags.Present;

        public VmmStatus Apply(Op op)
        {
            uint v = op.Virt;
            uint slot = v >> 22;
            switch (op.Kind)
            {
                case Kind.Map4K:
                    if (Large.ContainsKey(slot)) return VmmStatus.InsideLargePage;
                    if (Small.ContainsKey(v)) return VmmStatus.AlreadyMapped;
                    Small[v] = (op.Phys, Stored(op.Flags));
                    return VmmStatus.Ok;
                case Kind.Map4M:
                    if (!_pse) return VmmStatus.LargePagesNotSupported;
                    if (op.Phys >> _m != 0) return VmmStatus.PhysicalAddressTooHigh;
                    if (Large.ContainsKey(slot)) return VmmStatus.AlreadyMapped;
                    if (SlotHasSmall(slot)) return VmmStatus.PageTableInPlace;
                    Large[slot] = (op.Phys, Stored(op.Flags));
                    return VmmStatus.Ok;
                case Kind.Free:
                    if (Large.ContainsKey(slot))
                    {
                        if ((v & 0x3FFFFF) != 0) return VmmStatus.Misaligned;
                        Large.Remove(slot);
                        return VmmStatus.Ok;
                    }
                    return Small.Remove(v) ? VmmStatus.Ok : VmmStatus.NotMapped;
                case Kind.IdentityMap:
                {
                    ulong end = (ulong)v + op.Pages * 4096UL;
                    for (ulong a = v; a < end; a += 4096)
                    {
                        if (Large.ContainsKey((uint)(a >> 22))) return VmmStatus.InsideLargePage;
                        if (Small.ContainsKey((uint)a)) return VmmStatus.AlreadyMapped;
                    }
                    bool large = op.BestFit && _pse;
                    ulong at = v;
                    while (at < end)
                    {
                        uint s = (uint)(at >> 22);
                        if (large && (at & 0x3FFFFF) == 0 && end - at >= 0x400000 && !SlotHasSmall(s))
                        {
                            Large[s] = (at, Stored(op.Flags));
                            at += 0x400000;
                        }
                        else
                        {
                            Small[(uint)at] = (at, Stored(op.Flags));
                            at += 4096;
                        }
                    }
                    return VmmStatus.Ok;
                }
                default:
                {
                    ulong end = (ulong)v + op.Pages * 4096UL;
                    bool straddles(ulong b) => (b & 0x3FFFFF) != 0 && Large.ContainsKey((uint)(b >> 22));
                    if (straddles(v) || straddles(end)) return VmmStatus.InsideLargePage;
                    foreach (uint page in Small.Keys.Where(p => p >= v && p < end).ToList())
                        Small.Remove(page);
                    foreach (uint s in Large.Keys.Where(s => ((ulong)s << 22) >= v && ((ulong)s << 22) < end).ToList())
                        Large.Remove(s);
                    return VmmStatus.Ok;
                }
            }
        }
    }

    private static VmmStatus Run(VmmMachine m, Op op) => op.Kind switch
    {
        Kind.Map4K => m.Vmm.AllocPage(new VirtualAddress(op.Virt), new PhysicalAddress(op.Phys), op.Flags),
        Kind.Map4M => m.Vmm.AllocPage4MiB(new VirtualAddress((FirstSlot + op.Slot) << 22), new PhysicalAddress(op.Phys), op.Flags),
        Kind.Free => m.Vmm.FreePage(new VirtualAddress(op.Virt)),
        Kind.IdentityMap => m.Vmm.IdentityMapRegion(new PhysicalAddress(op.Virt), new PhysicalAddress(op.Virt + op.Pages * 4096UL), op.Flags,
            op.BestFit ? IdentityMapPolicy.BestFit : IdentityMapPolicy.Small),
        _ => m.Vmm.UnmapRegion(new PhysicalAddress(op.Virt), new PhysicalAddress(op.Virt + op.Pages * 4096UL)),
    };

    private static void CheckAgainstModel(VmmMachine m, Model model, int baselineFrames, Op? last)
    {
        const PageFlags ad = PageFlags.Accessed | PageFlags.Dirty;
        foreach (var (v, (phys, flags)) in model.Small)
        {
            uint offset = (v >> 12) * 0x37 & 0xFFF;
            Translation t = m.Cpu.Translate(v + offset, AccessKind.Read);
            Assert.False(t.IsFault, $"0x{v:X8} should be mapped: {t.Fault}");
            Assert.Equal(phys + offset, t.Physical.Value);
            PageInfo info = m.Vmm.Query(new VirtualAddress(v + offset));
            Assert.Equal(PageSize.Size4KiB, info.Size);
            Assert.Equal(phys + offset, info.Physical.Value);
            Assert.Equal(flags, info.Flags & ~ad);
        }
        foreach (var (slot, (phys, flags)) in model.Large)
        {
            uint offset = slot * 0x1357 & 0x3FFFFF;
            Translation t = m.Cpu.Translate((slot << 22) + offset, AccessKind.Read);
            Assert.False(t.IsFault, $"slot 0x{slot:X} should be a 4 MiB page: {t.Fault}");
            Assert.Equal(phys + offset, t.Physical.Value);
            Assert.Equal(PageSize.Size4MiB, t.Size);
            PageInfo info = m.Vmm.Query(new VirtualAddress((slot << 22) + offset));
            Assert.Equal(PageSize.Size4MiB, info.Size);
            Assert.Equal(flags, info.Flags & ~ad);
        }
        // Everything else in the test slots faults: the probe set, and every page the last range touched.
        IEnumerable<uint> probes = Enumerable.Range(0, (int)Slots).SelectMany(s => Indexes.Select(i => (FirstSlot + (uint)s) << 22 | i << 12));
        if (last != null && last.Kind is Kind.IdentityMap or Kind.UnmapRegion)
            probes = probes.Concat(Enumerable.Range(0, (int)last.Pages + 1).Select(i => last.Virt + (uint)i * 4096));
        foreach (uint p in probes)
        {
            if ((p >> 22) - FirstSlot > Slots || model.Small.ContainsKey(p) || model.Large.ContainsKey(p >> 22))
                continue;
            Translation t = m.Cpu.Translate(p, AccessKind.Read);
            Assert.True(t.IsFault, $"0x{p:X8} is not in the model but translates to 0x{t.Physical.Value:X} (stale TLB or stray entry)");
            Assert.False(m.Vmm.IsMapped(new VirtualAddress(p)));
        }
        // Page tables exactly where 4 KiB pages are; no frame leaked or lost.
        for (uint s = FirstSlot; s <= FirstSlot + Slots; s++)
        {
            PageDirectoryEntry pde = m.Vmm.ReadDirectoryEntry(s);
            bool small = model.Small.Keys.Any(v => v >> 22 == s);
            Assert.Equal(small || model.Large.ContainsKey(s), pde.IsPresent);
            Assert.Equal(model.Large.ContainsKey(s), pde.IsPresent && pde.IsLargePage);
        }
        Assert.Equal(baselineFrames + model.TablesInTestSlots, m.Pool.Allocated.Count);
    }

    [Fact]
    public void Random_sequences_match_the_dictionary_model()
    {
        Gen.Select(Gen.Int[0, Models.Length - 1], GenOp.Array[1, 40]).Sample((modelIndex, ops) =>
        {
            CpuModel cpu = Models[modelIndex];
            using VmmMachine m = new(cpu, ramSize: 16 << 20, poolEnd: 0xA00000);
            Assert.Equal(VmmStatus.Ok, m.Vmm.EnablePaging(VmmMachine.Layout));
            int baseline = m.Pool.Allocated.Count;
            Model model = new(cpu);
            foreach (Op op in ops)
            {
                var before = m.Snapshot();
                VmmStatus expected = model.Apply(op);
                VmmStatus actual = Run(m, op);
                Assert.True(expected == actual, $"{op} on {cpu.Name}: expected {expected}, got {actual}");
                if (actual != VmmStatus.Ok)
                    Assert.True(SnapshotsEqual(before, m.Snapshot()), $"{op} failed with {actual} but changed the tables");
                CheckAgainstModel(m, model, baseline, op);
            }
            // Unmap everything: every table goes back, the pool is where it started.
            foreach (uint v in model.Small.Keys.ToList())
                Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(new VirtualAddress(v)));
            foreach (uint s in model.Large.Keys.ToList())
                Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(new VirtualAddress(s << 22)));
            model.Small.Clear();
            model.Large.Clear();
            CheckAgainstModel(m, model, baseline, null);
            Assert.Equal(baseline, m.Pool.Allocated.Count);
        }, iter: 300, threads: 1, print: t => $"{Models[t.Item1].Name}: {string.Join("; ", t.Item2.Select(o => o.ToString()))}");
    }

    [Fact]
    public void Failures_for_lack_of_frames_leave_everything_as_it_was()
    {
        Gen.Select(Gen.Int[0, 3], GenOp.Array[1, 30]).Sample((budget, ops) =>
        {
            using VmmMachine m = new(CpuModel.Max36, ramSize: 16 << 20, poolEnd: 0xA00000);
            Assert.Equal(VmmStatus.Ok, m.Vmm.EnablePaging(VmmMachine.Layout));
            int baseline = m.Pool.Allocated.Count;
            m.Pool.Budget = budget;
            Model model = new(CpuModel.Max36);
            foreach (Op op in ops)
            {
                var before = m.Snapshot();
                Dictionary<uint, (ulong, PageFlags)> small = new(model.Small);
                Dictionary<uint, (ulong, PageFlags)> large = new(model.Large);
                VmmStatus expected = model.Apply(op);
                VmmStatus actual = Run(m, op);
                if (actual == VmmStatus.NoFrame)
                {
                    // The model assumed frames; put it back and check nothing moved.
                    Assert.Equal(VmmStatus.Ok, expected);
                    model.Small.Clear();
                    foreach (var kv in small) model.Small[kv.Key] = kv.Value;
                    model.Large.Clear();
                    foreach (var kv in large) model.Large[kv.Key] = kv.Value;
                    Assert.True(SnapshotsEqual(before, m.Snapshot()), $"{op} ran out of frames but changed the tables");
                }
                else
                {
                    Assert.Equal(expected, actual);
                }
                CheckAgainstModel(m, model, baseline, op);
            }
        }, iter: 150, threads: 1);
    }

    private static bool SnapshotsEqual(Dictionary<uint, uint[]> a, Dictionary<uint, uint[]> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out uint[]? other) && kv.Value.AsSpan().SequenceEqual(other));
}
