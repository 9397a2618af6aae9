using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

// Mapping and unmapping in the current address space: single pages of either size and identity-mapped ranges.
public unsafe partial struct VirtualMemoryManager<TCpu, TFrames>
{
    /// <summary>
    /// Maps the 4 KiB page at <paramref name="virt"/> to the frame at <paramref name="phys"/> in the current
    /// address space, creating its page table on demand (a zeroed frame). Present is implied; bit 7 of
    /// <paramref name="flags"/> is PAT. Global is kept in the kernel part only: in the user part it would let one
    /// space's translation survive the CR3 load that switches to another.
    /// </summary>
    public VmmStatus AllocPage(VirtualAddress virt, PhysicalAddress phys, PageFlags flags)
    {
        uint held = VmmLock.Enter(ref State->Lock);
        VmmStatus result = AllocPageLocked(virt, phys, flags);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private VmmStatus AllocPageLocked(VirtualAddress virt, PhysicalAddress phys, PageFlags flags)
    {
        if (virt.PageOffset != 0 || !phys.IsFrameAligned)
            return VmmStatus.Misaligned;
        if (phys.Value >= AddressLimits.FourGiB)
            return VmmStatus.PhysicalAddressTooHigh; // a PTE holds physical bits 31:12 only (SDM table 4-6)
        if (PagingLayout.IsReserved(virt.Value))
            return VmmStatus.ReservedRange;
        uint d = virt.DirectoryIndex;
        PageDirectoryEntry pde = ReadPde(d);
        if (pde.IsPresent)
        {
            if (pde.IsLargePage)
                return VmmStatus.InsideLargePage;
            if (new PageTableEntry(_window.Read<uint>(TableEntryAddress(d, pde, virt.TableIndex))).IsPresent)
                return VmmStatus.AlreadyMapped;
        }
        else
        {
            VmmStatus created = CreateTable(d);
            if (created != VmmStatus.Ok)
                return created;
            pde = ReadPde(d);
        }
        // Not-present to present needs no invalidation: the TLB holds no not-present translations (SDM 4.10.4.3).
        _window.Write(TableEntryAddress(d, pde, virt.TableIndex), PageTableEntry.Create(phys, SanitizeFlags(flags, d)).Value);
        return VmmStatus.Ok;
    }

    /// <summary>
    /// Maps the 4 MiB page at <paramref name="virt"/> to <paramref name="phys"/> with a PSE directory entry.
    /// Physical addresses at or above 4 GiB are encoded with PSE-36 when the CPU has it; anything at or above
    /// 2^M (M = min(MAXPHYADDR, 40)), or above 4 GiB without PSE-36, is refused. Bit 7 of
    /// <paramref name="flags"/> is PAT (stored in PDE bit 12).
    /// </summary>
    public VmmStatus AllocPage4MiB(VirtualAddress virt, PhysicalAddress phys, PageFlags flags)
    {
        uint held = VmmLock.Enter(ref State->Lock);
        VmmStatus result = AllocPage4MiBLocked(virt, phys, flags);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private VmmStatus AllocPage4MiBLocked(VirtualAddress virt, PhysicalAddress phys, PageFlags flags)
    {
        if (!_cpu.Features.Has(CpuFeatureFlags.Pse))
            return VmmStatus.LargePagesNotSupported;
        if ((virt.Value & Frames.LargeOffsetMask) != 0 || (phys.Value & Frames.LargeOffsetMask) != 0)
            return VmmStatus.Misaligned;
        uint d = virt.DirectoryIndex;
        if (d >= PagingLayout.ScratchSlot)
            return VmmStatus.ReservedRange;
        if (!PageDirectoryEntry.TryCreateLarge(phys, SanitizeFlags(flags, d), LargePageAddressBits, out PageDirectoryEntry large))
            return VmmStatus.PhysicalAddressTooHigh;
        PageDirectoryEntry pde = ReadPde(d);
        if (pde.IsPresent)
            return pde.IsLargePage ? VmmStatus.AlreadyMapped : VmmStatus.PageTableInPlace;
        SetPde(d, large.Value);
        return VmmStatus.Ok;
    }

    /// <summary>
    /// Identity-maps [<paramref name="start"/>, <paramref name="end"/>) rounded out to 4 KiB pages, with 4 MiB
    /// pages where <paramref name="policy"/> allows. Fails without changing anything when a page of the range is
    /// already mapped or reserved, or when frames for page tables run out. An empty, reversed or too high range is
    /// <see cref="VmmStatus.InvalidRange"/>.
    /// </summary>
    public VmmStatus IdentityMapRegion(PhysicalAddress start, PhysicalAddress end, PageFlags flags, IdentityMapPolicy policy)
    {
        uint held = VmmLock.Enter(ref State->Lock);
        VmmStatus result = IdentityMapRegionLocked(start, end, flags, policy);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private VmmStatus IdentityMapRegionLocked(PhysicalAddress start, PhysicalAddress end, PageFlags flags, IdentityMapPolicy policy)
    {
        if (end.Value == start.Value)
            return VmmStatus.InvalidRange; // nothing asked for: rounding out must not make it a page
        VmmStatus range = PageRange(start.Value, end.Value, out ulong first, out ulong last);
        if (range != VmmStatus.Ok)
            return range;
        for (ulong a = first; a < last; a += Frames.Size)
        {
            if (PagingLayout.IsReserved((uint)a))
                return VmmStatus.ReservedRange;
            PageInfo info = QueryLocked(new VirtualAddress((uint)a));
            if (info.Size == PageSize.Size4MiB)
                return VmmStatus.InsideLargePage;
            if (info.IsMapped)
                return VmmStatus.AlreadyMapped;
        }
        bool large = policy == IdentityMapPolicy.BestFit && _cpu.Features.Has(CpuFeatureFlags.Pse);
        uint step;
        for (ulong at = first; at < last; at += step)
        {
            VmmStatus status = IdentityMapNext(at, last, flags, large, out step);
            if (status != VmmStatus.Ok)
            {
                UnmapMapped(first, at);
                return status;
            }
        }
        return VmmStatus.Ok;
    }

    /// <summary>
    /// Unmaps every page inside [<paramref name="start"/>, <paramref name="end"/>) rounded out to 4 KiB pages
    /// (the inverse of <see cref="IdentityMapRegion"/>); unmapped pages are skipped. Fails without changing
    /// anything when a 4 MiB page sticks out of the range.
    /// </summary>
    public VmmStatus UnmapRegion(PhysicalAddress start, PhysicalAddress end)
    {
        uint held = VmmLock.Enter(ref State->Lock);
        VmmStatus result = UnmapRegionLocked(start, end);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private VmmStatus UnmapRegionLocked(PhysicalAddress start, PhysicalAddress end)
    {
        VmmStatus range = PageRange(start.Value, end.Value, out ulong first, out ulong last);
        if (range != VmmStatus.Ok)
            return range;
        if (first < last)
        {
            if (StraddlesLargePage(first) || StraddlesLargePage(last))
                return VmmStatus.InsideLargePage;
            for (ulong a = first; a < last; a += Frames.Size)
                if (PagingLayout.IsReserved((uint)a))
                    return VmmStatus.ReservedRange;
        }
        UnmapMapped(first, last);
        return VmmStatus.Ok;
    }

    /// <summary>
    /// Unmaps the 4 KiB page at <paramref name="virt"/>, or the whole 4 MiB page when <paramref name="virt"/> is
    /// its (4 MiB aligned) start, and invalidates its TLB entry (global or not). A page table left with no mapping
    /// goes back to the frame source; a kernel one, like a kernel 4 MiB page, is removed from every address space.
    /// </summary>
    public VmmStatus FreePage(VirtualAddress virt)
    {
        uint held = VmmLock.Enter(ref State->Lock);
        VmmStatus result = FreePageLocked(virt);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private VmmStatus FreePageLocked(VirtualAddress virt)
    {
        if (virt.PageOffset != 0)
            return VmmStatus.Misaligned;
        if (PagingLayout.IsReserved(virt.Value))
            return VmmStatus.ReservedRange;
        uint d = virt.DirectoryIndex;
        PageDirectoryEntry pde = ReadPde(d);
        if (!pde.IsPresent)
            return VmmStatus.NotMapped;
        bool paging = IsPagingEnabled;
        if (pde.IsLargePage)
        {
            // The PDE is the page: reading it as a table reference would free "a table" at the page's address.
            if ((virt.Value & Frames.LargeOffsetMask) != 0)
                return VmmStatus.Misaligned;
            SetPde(d, 0);
            if (paging)
            {
                // One INVLPG anywhere in the page drops the 4 MiB translation (SDM 4.10.4.1); the second drops the
                // slot's alias in the recursive window in case it was ever cached.
                _cpu.InvalidatePage(virt.Value);
                _cpu.InvalidatePage(TableWindow(d));
            }
            return VmmStatus.Ok;
        }
        ulong entry = TableEntryAddress(d, pde, virt.TableIndex);
        if (!new PageTableEntry(_window.Read<uint>(entry)).IsPresent)
            return VmmStatus.NotMapped;
        _window.Write(entry, 0u);
        if (paging)
            _cpu.InvalidatePage(virt.Value);
        if (TableIsEmpty(d, pde))
            ReleaseTable(d, pde);
        return VmmStatus.Ok;
    }

    private static PageFlags SanitizeFlags(PageFlags flags, uint slot)
    {
        uint allowed = PagingLayout.IsKernelSlot(slot) ? AllowedPageFlags : AllowedPageFlags & ~(uint)PageFlags.Global;
        return (PageFlags)(((uint)flags & allowed) | (uint)PageFlags.Present);
    }

    private bool StraddlesLargePage(ulong boundary)
    {
        if (boundary >= AddressLimits.FourGiB || (boundary & Frames.LargeOffsetMask) == 0)
            return false;
        PageDirectoryEntry pde = ReadPde(new VirtualAddress((uint)boundary).DirectoryIndex);
        return pde.IsPresent && pde.IsLargePage;
    }

    /// <summary>
    /// [<paramref name="start"/>, <paramref name="end"/>) rounded out to whole 4 KiB pages, as [<paramref name="first"/>,
    /// <paramref name="last"/>): a range ending at 0x2001 covers page 0x2000 too. <see cref="VmmStatus.InvalidRange"/>
    /// when it is reversed or reaches past 4 GiB.
    /// </summary>
    private static VmmStatus PageRange(ulong start, ulong end, out ulong first, out ulong last)
    {
        first = Frames.AlignDown(start);
        last = Frames.AlignUp(end);
        return end < start || last > AddressLimits.FourGiB ? VmmStatus.InvalidRange : VmmStatus.Ok;
    }

    /// <summary>
    /// Identity-maps the start <paramref name="at"/> of what is left of a range ending at <paramref name="last"/>:
    /// with one 4 MiB page when <paramref name="largePages"/> (the caller has checked PSE) and a whole, aligned
    /// 4 MiB stretch starts here whose directory slot is still empty (one PSE entry instead of a page table),
    /// else with a 4 KiB page. <paramref name="step"/> is how much it covers, mapped or not.
    /// </summary>
    private VmmStatus IdentityMapNext(ulong at, ulong last, PageFlags flags, bool largePages, out uint step)
    {
        VirtualAddress virt = new((uint)at);
        if (largePages && (at & Frames.LargeOffsetMask) == 0 && last - at >= Frames.LargeSize &&
            !ReadPde(virt.DirectoryIndex).IsPresent)
        {
            step = Frames.LargeSize;
            return AllocPage4MiBLocked(virt, new PhysicalAddress(at), flags);
        }
        step = Frames.Size;
        return AllocPageLocked(virt, new PhysicalAddress(at), flags);
    }

    /// <summary>Frees every mapping in [first, last) (4 MiB pages starting inside it whole).</summary>
    private void UnmapMapped(ulong first, ulong last)
    {
        ulong a = first;
        while (a < last)
        {
            PageInfo info = QueryLocked(new VirtualAddress((uint)a));
            if (info.Size == PageSize.Size4MiB)
            {
                FreePageLocked(new VirtualAddress((uint)a & ~Frames.LargeOffsetMask));
                a = (a & ~(ulong)Frames.LargeOffsetMask) + Frames.LargeSize;
                continue;
            }
            if (info.IsMapped)
                FreePageLocked(new VirtualAddress((uint)a));
            a += Frames.Size;
        }
    }
}
