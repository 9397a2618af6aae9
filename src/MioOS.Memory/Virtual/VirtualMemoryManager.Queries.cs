using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

// Reading the current address space: what maps an address, counts, raw entries.
public unsafe partial struct VirtualMemoryManager<TCpu, TFrames>
{
    /// <summary>What maps <paramref name="virt"/> in the current address space, read from the tables.</summary>
    public PageInfo Query(VirtualAddress virt)
    {
        uint held = VmmLock.Enter(ref State->Lock);
        PageInfo result = QueryLocked(virt);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private PageInfo QueryLocked(VirtualAddress virt)
    {
        uint d = virt.DirectoryIndex;
        PageDirectoryEntry pde = ReadPde(d);
        if (!pde.IsPresent)
            return default;
        if (pde.IsLargePage)
        {
            ulong frame = pde.LargePageAddress(LargePageAddressBits).Value;
            return new PageInfo(PageSize.Size4MiB, new PhysicalAddress(frame + (virt.Value & Frames.LargeOffsetMask)), pde.LargePageFlags);
        }
        PageTableEntry pte = new(_window.Read<uint>(TableEntryAddress(d, pde, virt.TableIndex)));
        if (!pte.IsPresent)
            return default;
        return new PageInfo(PageSize.Size4KiB, new PhysicalAddress(pte.Frame.Value + virt.PageOffset), pte.EffectiveFlags(pde));
    }

    /// <summary>The physical address <paramref name="virt"/> translates to (page frame plus offset, either page size).</summary>
    public VmmStatus VirtualToPhysical(VirtualAddress virt, out PhysicalAddress phys)
    {
        PageInfo info = Query(virt);
        phys = info.Physical;
        return info.IsMapped ? VmmStatus.Ok : VmmStatus.NotMapped;
    }

    /// <summary>True when <paramref name="virt"/> is mapped in the current address space.</summary>
    public bool IsMapped(VirtualAddress virt) => Query(virt).IsMapped;

    /// <summary>Counts the tables and pages of the current address space (the recursive slot excluded).</summary>
    public PagingCounts Count()
    {
        uint held = VmmLock.Enter(ref State->Lock);
        PagingCounts result = CountLocked();
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private PagingCounts CountLocked()
    {
        PagingCounts counts = default;
        for (uint d = 0; d < PagingLayout.RecursiveSlot; d++)
        {
            PageDirectoryEntry pde = ReadPde(d);
            if (!pde.IsPresent)
                continue;
            if (pde.IsLargePage)
            {
                counts.Mapped4M++;
                continue;
            }
            counts.PageTables++;
            uint* table = (uint*)_window.Bytes(TableBase(d, pde), Frames.Size, MemoryAccess.Read);
            for (uint t = 0; t < Frames.PerLargePage; t++)
                if ((table[t] & (uint)PageFlags.Present) != 0)
                    counts.Mapped4K++;
        }
        return counts;
    }

    /// <summary>The raw directory entry <paramref name="index"/> of the current address space.</summary>
    public PageDirectoryEntry ReadDirectoryEntry(uint index)
    {
        uint held = VmmLock.Enter(ref State->Lock);
        PageDirectoryEntry result = ReadPde(index & IndexMask);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    /// <summary>
    /// The raw entry <paramref name="tableIndex"/> of the page table in slot <paramref name="directoryIndex"/> of
    /// the current address space; 0 when the slot holds no table (empty, or a 4 MiB page).
    /// </summary>
    public PageTableEntry ReadTableEntry(uint directoryIndex, uint tableIndex)
    {
        uint held = VmmLock.Enter(ref State->Lock);
        PageTableEntry result = ReadTableEntryLocked(directoryIndex, tableIndex);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private PageTableEntry ReadTableEntryLocked(uint directoryIndex, uint tableIndex)
    {
        directoryIndex &= IndexMask;
        PageDirectoryEntry pde = ReadPde(directoryIndex);
        if (!pde.IsPresent || pde.IsLargePage)
            return default;
        return new PageTableEntry(_window.Read<uint>(TableEntryAddress(directoryIndex, pde, tableIndex & IndexMask)));
    }
}
