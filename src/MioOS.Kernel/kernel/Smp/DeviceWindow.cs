using MioOS.Memory;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Kernel.Smp;

/// <summary>
/// Kernel virtual addresses below 2 GiB for physical memory the kernel does not identity-map: the local APIC's
/// registers (uncached, for good) and firmware tables (one at a time, while they are read), which on big machines
/// lie above the 2 GiB kernel half. Every mapping goes through the VMM's <c>alloc_page</c>/<c>free_page</c>.
/// </summary>
/// <remarks>The kernel half is where the kernel identity-maps the RAM it uses, so a virtual range there is free
/// for good only if no identity mapping can ever land on it. The window owns the frames at its own addresses (taken
/// from the PMM, never mapped themselves): while the kernel holds them, nothing identity-maps those addresses.
/// It costs <see cref="Pages"/> frames.</remarks>
internal static unsafe class DeviceWindow
{
    /// <summary>Pages in the window: the local APIC's, then room for a firmware table of up to 60 KiB.</summary>
    public const uint Pages = 16;

    /// <summary>The page the local APIC's registers are mapped at (slot 0).</summary>
    private const uint ApicSlot = 0, FirstTableSlot = 1;

    private static uint s_base;
    private static uint s_tablePages;

    /// <summary>The window's first virtual address (0 until <see cref="Reserve"/>).</summary>
    public static uint Base => s_base;

    /// <summary>Takes the window's frames from the PMM; false when it has no run below 2 GiB.</summary>
    public static bool Reserve()
    {
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        if (mm.Pmm.AllocFrames(Pages, FrameRegion.Low, 1, out PhysicalAddress run) != PmmStatus.Ok)
            return false;
        if (run.Value + Pages * Frames.Size > PagingLayout.KernelSpaceEnd)
        {
            mm.Pmm.FreeFrame(run);
            return false;
        }
        s_base = (uint)run.Value;
        return true;
    }

    /// <summary>Maps the local APIC's 4 KiB of registers at <paramref name="physical"/>, uncached (PCD and PWT: SDM
    /// vol. 3, 10.4.1 wants them strong uncacheable); returns their virtual address, 0 on failure.</summary>
    public static uint MapApic(ulong physical)
    {
        uint virt = s_base + ApicSlot * Frames.Size;
        PageFlags flags = PageFlags.Writable | PageFlags.CacheDisable | PageFlags.WriteThrough;
        return Kmain.Memory.Vmm.AllocPage(new VirtualAddress(virt), new PhysicalAddress(physical), flags) == VmmStatus.Ok ? virt : 0;
    }

    /// <summary>Maps [<paramref name="physical"/>, + <paramref name="length"/>) read-only in the table slots (replacing
    /// what they held); returns the virtual address of <paramref name="physical"/>, null when it does not fit.</summary>
    public static byte* MapTable(ulong physical, uint length)
    {
        UnmapTable();
        ulong first = physical & ~(ulong)Frames.OffsetMask;
        ulong end = physical + length;
        uint pages = (uint)((end - first + Frames.OffsetMask) >> Frames.Shift);
        if (length == 0 || pages > Pages - FirstTableSlot || end > AddressLimits.FourGiB)
            return null;
        for (uint i = 0; i < pages; i++)
        {
            uint virt = s_base + (FirstTableSlot + i) * Frames.Size;
            if (Kmain.Memory.Vmm.AllocPage(new VirtualAddress(virt), new PhysicalAddress(first + i * Frames.Size), PageFlags.None) != VmmStatus.Ok)
                return null;
            s_tablePages = i + 1;
        }
        return (byte*)(s_base + FirstTableSlot * Frames.Size + (uint)(physical - first));
    }

    /// <summary>Unmaps whatever <see cref="MapTable"/> mapped.</summary>
    public static void UnmapTable()
    {
        for (uint i = 0; i < s_tablePages; i++)
            Kmain.Memory.Vmm.FreePage(new VirtualAddress(s_base + (FirstTableSlot + i) * Frames.Size));
        s_tablePages = 0;
    }
}
