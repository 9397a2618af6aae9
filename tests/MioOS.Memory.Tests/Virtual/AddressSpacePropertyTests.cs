using System.Collections.Generic;
using System.Linq;
using CsCheck;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Memory.Tests.Virtual;

/// <summary>
/// Random create/switch/map/free/destroy sequences over several address spaces: kernel mappings (here in one
/// kernel table that exists before any space; <see cref="KernelSharingPropertyTests"/> covers tables and 4 MiB pages
/// made and removed later) show in every space, private mappings (user part) only in their own, destroying a space
/// returns its directory and private tables, and no frame leaks.
/// </summary>
public class AddressSpacePropertyTests
{
    private const uint KernelVirt = 0x40000000; // slot 0x100, its table shared by every space
    private static readonly uint[] PrivateSlots = [0x200, 0x201, 0x3FD];

    [Fact]
    public void Spaces_share_kernel_mappings_keep_private_ones_apart_and_leak_nothing()
    {
        // op: 0 create, 1 switch to #pick, 2 map private page, 3 free private page, 4 map kernel page, 5 free kernel page, 6 destroy #pick
        Gen.Select(Gen.Int[0, 6], Gen.Int[0, 100], Gen.Int[0, PrivateSlots.Length - 1], Gen.UInt[0, 7]).Array[1, 50].Sample(ops =>
        {
            using VmmMachine m = VmmMachine.Booted(CpuModel.Qemu32);
            Assert.Equal(VmmStatus.Ok, m.Vmm.AllocPage(new VirtualAddress(KernelVirt + 0x7000), new PhysicalAddress(0x370000), PageFlags.Writable));
            PhysicalAddress kernel = m.Vmm.KernelDirectory;
            var kernelPages = new Dictionary<uint, ulong> { [KernelVirt + 0x7000] = 0x370000 };
            var spaces = new Dictionary<ulong, Dictionary<uint, ulong>>(); // directory -> private pages
            int baseline = m.Pool.Allocated.Count;
            ulong current = kernel.Value;
            foreach (var (kind, pick, slotIndex, page) in ops)
            {
                uint privateVirt = PrivateSlots[slotIndex] << 22 | page << 12;
                uint kernelVirt = KernelVirt + page % 7 * 4096; // page 7 stays mapped: the kernel table exists before any space and is shared
                ulong phys = 0x380000 + (ulong)((pick * 8 + (int)page) % 64) * 4096;
                List<ulong> ids = spaces.Keys.OrderBy(k => k).ToList();
                switch (kind)
                {
                    case 0:
                        Assert.Equal(VmmStatus.Ok, m.Vmm.CreateAddressSpace(out PhysicalAddress dir));
                        spaces[dir.Value] = new Dictionary<uint, ulong>();
                        break;
                    case 1:
                        ulong target = ids.Count == 0 || pick % (ids.Count + 1) == ids.Count ? kernel.Value : ids[pick % (ids.Count + 1)];
                        Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(new PhysicalAddress(target)));
                        Assert.Equal((uint)target, m.Cpu.Cr3);
                        current = target;
                        break;
                    case 2 when current != kernel.Value:
                        var mine = spaces[current];
                        VmmStatus mapped = m.Vmm.AllocPage(new VirtualAddress(privateVirt), new PhysicalAddress(phys), PageFlags.Writable | PageFlags.User);
                        Assert.Equal(mine.ContainsKey(privateVirt) ? VmmStatus.AlreadyMapped : VmmStatus.Ok, mapped);
                        mine.TryAdd(privateVirt, phys);
                        break;
                    case 3 when current != kernel.Value:
                        Assert.Equal(spaces[current].Remove(privateVirt) ? VmmStatus.Ok : VmmStatus.NotMapped, m.Vmm.FreePage(new VirtualAddress(privateVirt)));
                        break;
                    case 4:
                        VmmStatus k = m.Vmm.AllocPage(new VirtualAddress(kernelVirt), new PhysicalAddress(phys), PageFlags.Writable);
                        Assert.Equal(kernelPages.ContainsKey(kernelVirt) ? VmmStatus.AlreadyMapped : VmmStatus.Ok, k);
                        kernelPages.TryAdd(kernelVirt, phys);
                        break;
                    case 5:
                        Assert.Equal(kernelPages.Remove(kernelVirt) ? VmmStatus.Ok : VmmStatus.NotMapped, m.Vmm.FreePage(new VirtualAddress(kernelVirt)));
                        break;
                    case 6 when ids.Count > 0:
                        ulong victim = ids[pick % ids.Count];
                        VmmStatus destroyed = m.Vmm.DestroyAddressSpace(new PhysicalAddress(victim));
                        Assert.Equal(victim == current ? VmmStatus.AddressSpaceInUse : VmmStatus.Ok, destroyed);
                        if (destroyed == VmmStatus.Ok)
                            spaces.Remove(victim);
                        break;
                }
                // What the CPU sees in the current space.
                foreach (var (v, p) in kernelPages)
                    Assert.Equal(p, m.Cpu.Translate(v, AccessKind.Read).Physical.Value);
                Dictionary<uint, ulong> visible = current == kernel.Value ? new() : spaces[current];
                foreach (uint slot in PrivateSlots)
                    for (uint i = 0; i < 8; i++)
                    {
                        uint v = slot << 22 | i << 12;
                        Translation t = m.Cpu.Translate(v, AccessKind.Read);
                        if (visible.TryGetValue(v, out ulong p))
                            Assert.Equal(p, t.Physical.Value);
                        else
                            Assert.True(t.IsFault, $"0x{v:X8} leaks into space 0x{current:X}");
                    }
                // Frames: a directory per live space and a table per private slot in use.
                int privateTables = spaces.Values.Sum(s => s.Keys.Select(v => v >> 22).Distinct().Count());
                Assert.Equal(baseline + spaces.Count + privateTables, m.Pool.Allocated.Count);
            }
            Assert.Equal(VmmStatus.Ok, m.Vmm.SwitchAddressSpace(kernel));
            foreach (ulong dir in spaces.Keys.ToList())
                Assert.Equal(VmmStatus.Ok, m.Vmm.DestroyAddressSpace(new PhysicalAddress(dir)));
            Assert.Equal(baseline, m.Pool.Allocated.Count);
        }, iter: 150, threads: 1);
    }
}
