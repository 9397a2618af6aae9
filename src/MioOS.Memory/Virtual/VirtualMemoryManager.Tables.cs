using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

// Table internals: reaching directory and table entries (recursive window or physical address), keeping the
// kernel part the same in every directory, creating and releasing page tables, the scratch pages.
public unsafe partial struct VirtualMemoryManager<TCpu, TFrames>
{
    private ulong DirectoryEntryAddress(uint index) =>
        IsPagingEnabled ? PagingLayout.DirectoryWindow + index * EntrySize : (ulong)State->CurrentDirectory + index * EntrySize;

    private PageDirectoryEntry ReadPde(uint index) => new(_window.Read<uint>(DirectoryEntryAddress(index)));

    private void WritePde(uint index, uint value) => _window.Write(DirectoryEntryAddress(index), value);

    /// <summary>
    /// Sets directory entry <paramref name="d"/>: in the current directory for a user slot; for a kernel slot in
    /// the kernel directory and in every address space on the list, so the kernel part stays the same everywhere
    /// (see <see cref="PagingLayout"/>). Only the current space's TLB can hold translations through the old entry:
    /// the caller invalidates those; the others were dropped by the CR3 load that left their space (global ones,
    /// which survive it, are dropped by the caller's <c>invlpg</c>, which drops global entries too).
    /// </summary>
    private void SetPde(uint d, uint value)
    {
        if (!PagingLayout.IsKernelSlot(d))
        {
            WritePde(d, value);
            return;
        }
        VmmState* s = State;
        WriteEntryIn(s->KernelDirectory, d, value);
        for (uint i = 0; i < s->SpaceCount; i++)
            WriteEntryIn(_window.Read<uint>(RegistrySlot(i)), d, value);
    }

    /// <summary>Writes entry <paramref name="d"/> of <paramref name="directory"/>: through the recursive window when it is current, else a scratch page.</summary>
    private void WriteEntryIn(uint directory, uint d, uint value)
    {
        if (directory == State->CurrentDirectory)
        {
            WritePde(d, value);
            return;
        }
        ulong at = MapScratch(PagingLayout.ScratchPageB, directory);
        _window.Write(at + d * EntrySize, value);
        UnmapScratch(PagingLayout.ScratchPageB);
    }

    /// <summary>Where the table of slot <paramref name="d"/> is reachable: the recursive window once paging is on.</summary>
    private ulong TableBase(uint d, PageDirectoryEntry pde) =>
        IsPagingEnabled ? TableWindow(d) : pde.TableAddress.Value;

    /// <summary>Where entry <paramref name="t"/> of the table of slot <paramref name="d"/> is reachable.</summary>
    private ulong TableEntryAddress(uint d, PageDirectoryEntry pde, uint t) => TableBase(d, pde) + t * EntrySize;

    /// <summary>Where the table of slot <paramref name="d"/> appears once paging is on: its page in the recursive window.</summary>
    private static uint TableWindow(uint d) => PagingLayout.TablesBase + d * Frames.Size;

    /// <summary>
    /// The entry of the shared scratch table that maps scratch page <paramref name="page"/>, reached through the
    /// recursive window (so only with paging on).
    /// </summary>
    private static ulong ScratchEntry(uint page) =>
        TableWindow(PagingLayout.ScratchSlot) + new VirtualAddress(page).TableIndex * EntrySize;

    private VmmStatus CreateTable(uint d)
    {
        if (!TryTakeFrame(ref _frames, out PhysicalAddress frame))
            return VmmStatus.NoFrame;
        // The PDE gets P, R/W and U/S: the PTEs decide the rights (SDM 4.6 ands both levels).
        uint value = (uint)frame.Value | TableEntryFlags;
        // Zero the table before the directory points at it: once linked, the CPU may walk it (speculatively
        // too) and cache whatever stale entries the frame held. With paging on the frame is reached through a
        // scratch page, as the recursive alias only exists after linking.
        ulong zeroAt = MapScratch(PagingLayout.ScratchPageA, frame.Value);
        _window.Zero(zeroAt, Frames.Size);
        UnmapScratch(PagingLayout.ScratchPageA);
        SetPde(d, value);
        if (IsPagingEnabled)
            _cpu.InvalidatePage(TableWindow(d)); // the slot's alias may be cached from an earlier table
        return VmmStatus.Ok;
    }

    private void ReleaseTable(uint d, PageDirectoryEntry pde)
    {
        SetPde(d, 0);
        if (IsPagingEnabled)
            _cpu.InvalidatePage(TableWindow(d));
        _frames.Free(pde.TableAddress);
    }

    private bool TableIsEmpty(uint d, PageDirectoryEntry pde)
    {
        uint* table = (uint*)_window.Bytes(TableBase(d, pde), Frames.Size, MemoryAccess.Read);
        for (uint t = 0; t < Frames.PerLargePage; t++)
            if ((table[t] & (uint)PageFlags.Present) != 0)
                return false;
        return true;
    }

    /// <summary>Makes the frame at <paramref name="phys"/> reachable: the scratch page once paging is on, else itself.</summary>
    private ulong MapScratch(uint page, ulong phys)
    {
        if (!IsPagingEnabled)
            return phys;
        _window.Write(ScratchEntry(page), (uint)phys | SupervisorEntryFlags);
        _cpu.InvalidatePage(page); // the scratch page may still translate to the frame it showed last
        return page;
    }

    private void UnmapScratch(uint page)
    {
        if (!IsPagingEnabled)
            return;
        ulong entry = ScratchEntry(page);
        if (_window.Read<uint>(entry) == 0)
            return;
        _window.Write(entry, 0u);
        _cpu.InvalidatePage(page);
    }
}
