using System.Collections.Generic;
using System.Linq;
using CsCheck;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Hosting.Machine;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>
/// Random kernel map/unmap (4 KiB pages whose tables come and go, 4 MiB pages, PMM identity-mapped runs, some
/// Global) interleaved with create/switch/destroy of address spaces and private map/unmap, on a booted PC whose
/// PMM gives the tables. After every step, in every address space as the simulated MMU sees it (TLB included: the
/// current space is probed first as it stands, the others by switching to them): the kernel mappings are the same
/// and match the model, private mappings show only in their own space, every directory holds the kernel
/// directory's kernel entries, no PMM frame leaks and the PMM is intact.
/// </summary>
public class KernelSharingPropertyTests
{
    private static readonly uint[] KernelSlots = [0x100, 0x101, 0x1FF]; // tables made after spaces exist
    private static readonly uint[] UserSlots = [0x200, 0x201, 0x3FD];
    private static readonly uint[] Indexes = [0, 1, 2, 7, 1023];
    private static readonly CpuModel[] Models = [CpuModel.Qemu32, CpuModel.Qemu32.With(CpuFeatureFlags.Pge, false), CpuModel.NoPse];

    private sealed class World
    {
        public readonly Dictionary<uint, ulong> KernelSmall = new();
        public readonly Dictionary<uint, ulong> KernelLarge = new(); // by slot
        public readonly Dictionary<ulong, uint> Identity = new(); // run start -> frames
        public readonly Dictionary<ulong, Dictionary<uint, ulong>> Spaces = new(); // directory -> private pages

        public IEnumerable<uint> KernelTableSlots =>
            KernelSmall.Keys.Select(v => v >> 22).Concat(Identity.SelectMany(r => Enumerable.Range(0, (int)r.Value).Select(i => (uint)((r.Key + (ulong)i * 4096) >> 22))));
    }

    [Fact]
    public void Kernel_mappings_look_the_same_in_every_space_and_private_ones_stay_private()
    {
        Gen.Select(Gen.Int[0, Models.Length - 1], Gen.Select(Gen.Int[0, 10], Gen.Int[0, 1000], Gen.Int[0, 2], Gen.Int[0, Indexes.Length - 1], Gen.Bool).Array[1, 40])
            .Sample((modelIndex, ops) =>
        {
            using SimulatedPc pc = SimulatedPc.Boot(MachineConfig.ForMemorySize(64UL << 20));
            using PagingMachine m = PagingMachine.Start(pc, Models[modelIndex]);
            Assert.Equal(VmmStatus.Ok, m.Status);
            bool pse = m.Cpu.Model.Features.Has(CpuFeatureFlags.Pse);
            PhysicalAddress kernel = m.Vmm.KernelDirectory;
            HashSet<uint> bootTables = Enumerable.Range(0, 1022).Select(d => (uint)d)
                .Where(d => m.Vmm.ReadDirectoryEntry(d).IsPresent && !m.Vmm.ReadDirectoryEntry(d).IsLargePage).ToHashSet();
            ulong baseline = m.Pmm.Stats.UsedFrames;
            var w = new World();
            ulong current = kernel.Value;
            var mapper = m.Mapper();
            foreach (var (kind, pick, slotPick, indexPick, global) in ops)
            {
                PageFlags g = global ? PageFlags.Global : PageFlags.None;
                uint kslot = KernelSlots[slotPick], uslot = UserSlots[slotPick], index = Indexes[indexPick];
                uint kv = kslot << 22 | index << 12, uv = uslot << 22 | index << 12;
                ulong phys = 0x3000000 + (ulong)(pick % 256) * 4096;
                List<ulong> ids = w.Spaces.Keys.OrderBy(k => k).ToList();
                switch (kind)
                {
                    case 0:
                        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out PhysicalAddress dir));
                        w.Spaces[dir.Value] = new Dictionary<uint, ulong>();
                        break;
                    case 1:
                        current = ids.Count == 0 || pick % (ids.Count + 1) == ids.Count ? kernel.Value : ids[pick % (ids.Count + 1)];
                        Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(new PhysicalAddress(current)));
                        break;
                    case 2 when ids.Count > 0:
                        ulong victim = ids[pick % ids.Count];
                        VmmStatus destroyed = m.Vmm.DestroyAddressSpace(new PhysicalAddress(victim));
                        Assert.Equal(victim == current ? VmmStatus.AddressSpaceInUse : VmmStatus.Ok, destroyed);
                        if (destroyed == VmmStatus.Ok)
                            w.Spaces.Remove(victim);
                        break;
                    case 3 when current != kernel.Value:
                        var mine = w.Spaces[current];
                        // Global is asked for but must not stick in the user part: it would survive the switch.
                        Assert.Equal(mine.ContainsKey(uv) ? VmmStatus.AlreadyMapped : VmmStatus.Ok,
                            m.Vmm.AllocPage(new VirtualAddress(uv), new PhysicalAddress(phys), PageFlags.Writable | PageFlags.User | g));
                        mine.TryAdd(uv, phys);
                        break;
                    case 4 when current != kernel.Value:
                        Assert.Equal(w.Spaces[current].Remove(uv) ? VmmStatus.Ok : VmmStatus.NotMapped, m.Vmm.FreePage(new VirtualAddress(uv)));
                        break;
                    case 5:
                    {
                        VmmStatus expected = w.KernelLarge.ContainsKey(kslot) ? VmmStatus.InsideLargePage
                            : w.KernelSmall.ContainsKey(kv) ? VmmStatus.AlreadyMapped : VmmStatus.Ok;
                        Assert.Equal(expected, m.Vmm.AllocPage(new VirtualAddress(kv), new PhysicalAddress(phys), PageFlags.Writable | g));
                        if (expected == VmmStatus.Ok)
                            w.KernelSmall[kv] = phys;
                        break;
                    }
                    case 6:
                    {
                        VmmStatus expected = w.KernelLarge.ContainsKey(kslot) ? (index == 0 ? VmmStatus.Ok : VmmStatus.Misaligned)
                            : w.KernelSmall.ContainsKey(kv) ? VmmStatus.Ok : VmmStatus.NotMapped;
                        Assert.Equal(expected, m.Vmm.FreePage(new VirtualAddress(kv)));
                        if (expected == VmmStatus.Ok && !w.KernelLarge.Remove(kslot))
                            w.KernelSmall.Remove(kv);
                        break;
                    }
                    case 7:
                    {
                        ulong large = (ulong)(pick % 8 + 8) << 22;
                        VmmStatus expected = !pse ? VmmStatus.LargePagesNotSupported
                            : w.KernelLarge.ContainsKey(kslot) ? VmmStatus.AlreadyMapped
                            : w.KernelSmall.Keys.Any(v => v >> 22 == kslot) ? VmmStatus.PageTableInPlace : VmmStatus.Ok;
                        Assert.Equal(expected, m.Vmm.AllocPage4MiB(new VirtualAddress(kslot << 22), new PhysicalAddress(large), PageFlags.Writable | g));
                        if (expected == VmmStatus.Ok)
                            w.KernelLarge[kslot] = large;
                        break;
                    }
                    case 8:
                        Assert.Equal(PmmStatus.Ok, m.Pmm.AllocFrame((uint)(pick % 3 + 1), true, ref mapper, out PhysicalAddress run));
                        w.Identity[run.Value] = (uint)(pick % 3 + 1);
                        break;
                    case 9 when w.Identity.Count > 0:
                        ulong start = w.Identity.Keys.OrderBy(k => k).ElementAt(pick % w.Identity.Count);
                        Assert.Equal(PmmStatus.Ok, m.Pmm.FreeFrame(new PhysicalAddress(start), ref mapper));
                        w.Identity.Remove(start);
                        break;
                }
                Assert.Equal((uint)current, m.Cpu.Cr3);
                CheckSpace(m, w, current, kernel.Value);
                foreach (ulong other in w.Spaces.Keys.Append(kernel.Value).Where(d => d != current).ToList())
                {
                    Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(new PhysicalAddress(other)));
                    CheckSpace(m, w, other, kernel.Value);
                }
                Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(new PhysicalAddress(current)));
                // Every directory holds the kernel directory's kernel entries (A and D aside: the CPU sets them per directory).
                foreach (ulong dir in w.Spaces.Keys)
                    for (uint d = 0; d < 1023; d++)
                        if (PagingLayout.IsKernelSlot(d))
                            Assert.Equal(Raw(m, kernel.Value, d) & ~0x60u, Raw(m, dir, d) & ~0x60u);
                // Frames: a directory per space, a table per user slot in use per space, a table per kernel slot in
                // use that had none at boot, and the identity-mapped runs.
                ulong privateTables = (ulong)w.Spaces.Values.Sum(s => s.Keys.Select(v => v >> 22).Distinct().Count());
                ulong kernelTables = (ulong)w.KernelTableSlots.Distinct().Count(s => !bootTables.Contains(s));
                ulong identity = w.Identity.Values.Aggregate(0UL, (a, n) => a + n);
                Assert.Equal(baseline + (ulong)w.Spaces.Count + privateTables + kernelTables + identity, m.Pmm.Stats.UsedFrames);
                PmmIntegrity integrity = m.Pmm.CheckIntegrity();
                Assert.True(integrity.IsOk, $"PMM integrity: {integrity.Status} at 0x{integrity.Address:X}");
            }
            Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(kernel));
            foreach (ulong dir in w.Spaces.Keys.ToList())
                Assert.Equal(VmmStatus.Ok, m.Vmm.DestroyAddressSpace(new PhysicalAddress(dir)));
            foreach (uint v in w.KernelSmall.Keys)
                Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(new VirtualAddress(v)));
            foreach (uint s in w.KernelLarge.Keys)
                Assert.Equal(VmmStatus.Ok, m.Vmm.FreePage(new VirtualAddress(s << 22)));
            foreach (ulong start in w.Identity.Keys)
                Assert.Equal(PmmStatus.Ok, m.Pmm.FreeFrame(new PhysicalAddress(start), ref mapper));
            Assert.Equal(baseline, m.Pmm.Stats.UsedFrames);
            Assert.Equal(0u, m.Vmm.AddressSpaceCount);
        }, iter: 100, threads: 1);
    }

    private static unsafe uint Raw(PagingMachine m, ulong directory, uint slot) => *(uint*)(m.Pc.Ram.Base + directory + slot * 4);

    /// <summary>What the CPU sees with <paramref name="space"/> loaded: the kernel model everywhere, <paramref name="space"/>'s private pages only.</summary>
    private static void CheckSpace(PagingMachine m, World w, ulong space, ulong kernel)
    {
        Assert.Equal((uint)space, m.Cpu.Cr3);
        foreach (uint slot in KernelSlots)
            foreach (uint i in Indexes)
            {
                uint v = slot << 22 | i << 12;
                Translation t = m.Cpu.Translate(v + 0x10, AccessKind.Read);
                if (w.KernelLarge.TryGetValue(slot, out ulong large))
                    Assert.Equal(large + (i << 12) + 0x10, t.Physical.Value);
                else if (w.KernelSmall.TryGetValue(v, out ulong p))
                    Assert.Equal(p + 0x10, t.Physical.Value);
                else
                    Assert.True(t.IsFault, $"kernel 0x{v:X8} in space 0x{space:X}: stale translation to 0x{t.Physical.Value:X}");
            }
        foreach (var (start, frames) in w.Identity)
            for (ulong a = start; a < start + frames * 4096UL; a += 4096)
                Assert.Equal(a, m.Cpu.Translate((uint)a, AccessKind.Write).Physical.Value);
        Dictionary<uint, ulong> mine = space == kernel ? new() : w.Spaces[space];
        foreach (uint slot in UserSlots)
            foreach (uint i in Indexes)
            {
                uint v = slot << 22 | i << 12;
                Translation t = m.Cpu.Translate(v, AccessKind.Read);
                if (mine.TryGetValue(v, out ulong p))
                    Assert.Equal(p, t.Physical.Value);
                else
                    Assert.True(t.IsFault, $"0x{v:X8} leaks into space 0x{space:X}");
            }
    }
}
