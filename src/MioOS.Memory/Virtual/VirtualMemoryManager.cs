using System;
using System.Runtime.InteropServices;
using MioOS.Memory.Boot;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

/// <summary>
/// The VMM's own record, kept in a frame of its own (identity-mapped once paging is on). The rest of that frame,
/// from <see cref="RegistryOffset"/>, lists the page directories of the address spaces other than the kernel's
/// (<see cref="SpaceCount"/> of them), so that a change to a kernel entry can be written into every one.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VmmState
{
    public const uint ExpectedMagic = 0x4D4D5656; // "VVMM"
    public const uint PagingOnFlag = 1;
    public const uint RegistryOffset = 64;
    public const uint RegistryCapacity = (4096 - RegistryOffset) / 4;

    public uint Magic;
    public uint KernelDirectory;
    public uint CurrentDirectory;
    public uint ScratchTable;
    public uint Flags;
    public uint LargePageAddressBits;
    public uint SpaceCount;
}

/// <summary>
/// The virtual memory manager: x86 32-bit paging with 4 KiB and 4 MiB pages (Intel SDM vol. 3, chapter 4.3).
/// </summary>
/// <remarks>
/// <para>A handle: every piece of state lives in memory (the page directories and tables in their real x86
/// format, and a small <c>VmmState</c> record in a frame), reached through the memory window, so copies of
/// this struct all see the same VMM. Mapping operations act on the current address space: in its user part
/// (<see cref="PagingLayout.UserSlotBase"/> up) they are private to it, in the kernel part they show in every
/// address space (see <see cref="PagingLayout"/> for how the kernel part is kept the same everywhere).</para>
/// <para>Before paging is on, tables are reached at their physical addresses; after, through the recursive
/// directory entry (see <see cref="PagingLayout"/>). Every failure is a <see cref="VmmStatus"/> and leaves
/// the paging structures as they were.</para>
/// </remarks>
/// <typeparam name="TCpu">The CPU seam.</typeparam>
/// <typeparam name="TFrames">Where page directories and tables come from (the PMM).</typeparam>
public unsafe struct VirtualMemoryManager<TCpu, TFrames>
    where TCpu : struct, ICpu
    where TFrames : struct, IPageTableFrames
{
    private const uint TableEntryFlags = (uint)(PageFlags.Present | PageFlags.Writable | PageFlags.User);
    private const uint SupervisorEntryFlags = (uint)(PageFlags.Present | PageFlags.Writable);
    private const uint AllowedPageFlags = (uint)(PageFlags.Writable | PageFlags.User | PageFlags.WriteThrough |
        PageFlags.CacheDisable | PageFlags.Accessed | PageFlags.Dirty | PageFlags.Pat | PageFlags.Global);
    private const uint LargeOffsetMask = Frames.LargeSize - 1;
    private const uint SmallOffsetMask = Frames.Size - 1;

    private MemoryWindow _window;
    private TCpu _cpu;
    private TFrames _frames;
    private ulong _state;

    private VirtualMemoryManager(MemoryWindow window, TCpu cpu, TFrames frames, ulong state)
    {
        _window = window;
        _cpu = cpu;
        _frames = frames;
        _state = state;
    }

    /// <summary>
    /// Sets up a VMM with paging still off: takes three frames (the VMM's record, the kernel's page directory
    /// with its recursive entry, and the shared page table holding the scratch pages).
    /// </summary>
    public static VmmStatus Create(MemoryWindow window, TCpu cpu, TFrames frames, out VirtualMemoryManager<TCpu, TFrames> vmm)
    {
        vmm = default;
        if ((cpu.ReadCr0() & ControlRegisters.Cr0Paging) != 0)
            return VmmStatus.PagingAlreadyEnabled;
        if (!TryTakeFrame(ref frames, out PhysicalAddress state))
            return VmmStatus.NoFrame;
        if (!TryTakeFrame(ref frames, out PhysicalAddress directory))
        {
            frames.Free(state);
            return VmmStatus.NoFrame;
        }
        if (!TryTakeFrame(ref frames, out PhysicalAddress scratch))
        {
            frames.Free(directory);
            frames.Free(state);
            return VmmStatus.NoFrame;
        }
        window.Zero(state.Value, Frames.Size);
        window.Zero(directory.Value, Frames.Size);
        window.Zero(scratch.Value, Frames.Size);
        window.Write(directory.Value + PagingLayout.RecursiveSlot * 4, (uint)directory.Value | SupervisorEntryFlags);
        window.Write(directory.Value + PagingLayout.ScratchSlot * 4, (uint)scratch.Value | SupervisorEntryFlags);
        VmmState* s = window.At<VmmState>(state.Value, MemoryAccess.Write);
        s->KernelDirectory = (uint)directory.Value;
        s->CurrentDirectory = (uint)directory.Value;
        s->ScratchTable = (uint)scratch.Value;
        s->Flags = 0;
        s->LargePageAddressBits = (uint)PageDirectoryEntry.LargePageAddressBits(cpu.Features);
        s->SpaceCount = 0;
        s->Magic = VmmState.ExpectedMagic;
        vmm = new VirtualMemoryManager<TCpu, TFrames>(window, cpu, frames, state.Value);
        return VmmStatus.Ok;
    }

    /// <summary>A handle on the VMM whose record is at <paramref name="state"/> (from <see cref="StateAddress"/>).</summary>
    public static VirtualMemoryManager<TCpu, TFrames> Attach(MemoryWindow window, TCpu cpu, TFrames frames, PhysicalAddress state) =>
        new(window, cpu, frames, state.Value);

    /// <summary>Where the VMM's record lives (identity-mapped).</summary>
    public PhysicalAddress StateAddress => new(_state);

    /// <summary>The kernel's page directory.</summary>
    public PhysicalAddress KernelDirectory => new(State->KernelDirectory);

    /// <summary>The current page directory (what CR3 holds once paging is on).</summary>
    public PhysicalAddress CurrentDirectory => new(State->CurrentDirectory);

    /// <summary>True once <c>EnablePaging</c> has turned paging on.</summary>
    public bool IsPagingEnabled => (State->Flags & VmmState.PagingOnFlag) != 0;

    /// <summary>M: how many physical address bits a 4 MiB page can reach on this CPU (32 without PSE-36).</summary>
    public int LargePageAddressBits => (int)State->LargePageAddressBits;

    private VmmState* State => _window.At<VmmState>(_state, MemoryAccess.Write);

    // ---- mapping ---------------------------------------------------------------------------------------------

    /// <summary>
    /// Maps the 4 KiB page at <paramref name="virt"/> to the frame at <paramref name="phys"/> in the current
    /// address space, creating its page table on demand (a zeroed frame). Present is implied; bit 7 of
    /// <paramref name="flags"/> is PAT. Global is kept in the kernel part only: in the user part it would let one
    /// space's translation survive the CR3 load that switches to another.
    /// </summary>
    public VmmStatus AllocPage(VirtualAddress virt, PhysicalAddress phys, PageFlags flags)
    {
        if ((virt.Value & SmallOffsetMask) != 0 || !phys.IsFrameAligned)
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
            ulong existing = TableBase(d, pde) + virt.TableIndex * 4;
            if (new PageTableEntry(_window.Read<uint>(existing)).IsPresent)
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
        ulong entry = TableBase(d, pde) + virt.TableIndex * 4;
        _window.Write(entry, PageTableEntry.Create(phys, SanitizeFlags(flags, d)).Value);
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
        if (!_cpu.Features.Has(CpuFeatureFlags.Pse))
            return VmmStatus.LargePagesNotSupported;
        if ((virt.Value & LargeOffsetMask) != 0 || (phys.Value & LargeOffsetMask) != 0)
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
    /// already mapped or reserved, or when frames for page tables run out.
    /// </summary>
    public VmmStatus IdentityMapRegion(PhysicalAddress start, PhysicalAddress end, PageFlags flags, IdentityMapPolicy policy)
    {
        if (end.Value < start.Value)
            return VmmStatus.InvalidRange;
        ulong first = Frames.AlignDown(start.Value);
        ulong last = Frames.AlignUp(end.Value); // exclusive: a range ending at 0x2001 covers page 0x2000 too
        if (last > AddressLimits.FourGiB)
            return VmmStatus.InvalidRange;
        for (ulong a = first; a < last; a += Frames.Size)
        {
            if (PagingLayout.IsReserved((uint)a))
                return VmmStatus.ReservedRange;
            PageInfo info = Query(new VirtualAddress((uint)a));
            if (info.Size == PageSize.Size4MiB)
                return VmmStatus.InsideLargePage;
            if (info.IsMapped)
                return VmmStatus.AlreadyMapped;
        }
        bool large = policy == IdentityMapPolicy.BestFit && _cpu.Features.Has(CpuFeatureFlags.Pse);
        ulong at = first;
        while (at < last)
        {
            VmmStatus status;
            uint step;
            if (large && (at & LargeOffsetMask) == 0 && last - at >= Frames.LargeSize &&
                !ReadPde((uint)(at >> 22)).IsPresent)
            {
                status = AllocPage4MiB(new VirtualAddress((uint)at), new PhysicalAddress(at), flags);
                step = Frames.LargeSize;
            }
            else
            {
                status = AllocPage(new VirtualAddress((uint)at), new PhysicalAddress(at), flags);
                step = Frames.Size;
            }
            if (status != VmmStatus.Ok)
            {
                UnmapMapped(first, at);
                return status;
            }
            at += step;
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
        if (end.Value < start.Value)
            return VmmStatus.InvalidRange;
        ulong first = Frames.AlignDown(start.Value);
        ulong last = Frames.AlignUp(end.Value);
        if (last > AddressLimits.FourGiB)
            return VmmStatus.InvalidRange;
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
        if ((virt.Value & SmallOffsetMask) != 0)
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
            if ((virt.Value & LargeOffsetMask) != 0)
                return VmmStatus.Misaligned;
            SetPde(d, 0);
            if (paging)
            {
                // One INVLPG anywhere in the page drops the 4 MiB translation (SDM 4.10.4.1); the second drops the
                // slot's alias in the recursive window in case it was ever cached.
                _cpu.InvalidatePage(virt.Value);
                _cpu.InvalidatePage(PagingLayout.TablesBase + d * Frames.Size);
            }
            return VmmStatus.Ok;
        }
        ulong entry = TableBase(d, pde) + virt.TableIndex * 4;
        if (!new PageTableEntry(_window.Read<uint>(entry)).IsPresent)
            return VmmStatus.NotMapped;
        _window.Write(entry, 0u);
        if (paging)
            _cpu.InvalidatePage(virt.Value);
        if (TableIsEmpty(d, pde))
            ReleaseTable(d, pde);
        return VmmStatus.Ok;
    }

    // ---- queries ---------------------------------------------------------------------------------------------

    /// <summary>What maps <paramref name="virt"/> in the current address space, read from the tables.</summary>
    public PageInfo Query(VirtualAddress virt)
    {
        uint d = virt.DirectoryIndex;
        PageDirectoryEntry pde = ReadPde(d);
        if (!pde.IsPresent)
            return default;
        if (pde.IsLargePage)
        {
            ulong frame = pde.LargePageAddress(LargePageAddressBits).Value;
            return new PageInfo(PageSize.Size4MiB, new PhysicalAddress(frame + (virt.Value & LargeOffsetMask)), pde.LargePageFlags);
        }
        PageTableEntry pte = new(_window.Read<uint>(TableBase(d, pde) + virt.TableIndex * 4));
        if (!pte.IsPresent)
            return default;
        // Access rights combine across both levels (SDM 4.6): R/W and U/S must be set in the PDE and the PTE.
        uint rightsMask = ~(uint)(PageFlags.Writable | PageFlags.User) | (pde.Value & (uint)(PageFlags.Writable | PageFlags.User));
        PageFlags flags = (PageFlags)((uint)pte.Flags & rightsMask);
        return new PageInfo(PageSize.Size4KiB, new PhysicalAddress(pte.Frame.Value + virt.PageOffset), flags);
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
            for (uint t = 0; t < 1024; t++)
                if ((table[t] & (uint)PageFlags.Present) != 0)
                    counts.Mapped4K++;
        }
        return counts;
    }

    /// <summary>The raw directory entry <paramref name="index"/> of the current address space.</summary>
    public PageDirectoryEntry ReadDirectoryEntry(uint index) => ReadPde(index & 1023);

    /// <summary>
    /// The raw entry <paramref name="tableIndex"/> of the page table in slot <paramref name="directoryIndex"/> of
    /// the current address space; 0 when the slot holds no table (empty, or a 4 MiB page).
    /// </summary>
    public PageTableEntry ReadTableEntry(uint directoryIndex, uint tableIndex)
    {
        directoryIndex &= 1023;
        PageDirectoryEntry pde = ReadPde(directoryIndex);
        if (!pde.IsPresent || pde.IsLargePage)
            return default;
        return new PageTableEntry(_window.Read<uint>(TableBase(directoryIndex, pde) + (tableIndex & 1023) * 4));
    }

    // ---- turning paging on -----------------------------------------------------------------------------------

    /// <summary>Builds the kernel's address space and turns paging on; <see cref="EnablePaging(in KernelSpaceLayout, ReadOnlySpan{ReservedRange})"/> with no boot ranges.</summary>
    public VmmStatus EnablePaging(in KernelSpaceLayout layout) => EnablePaging(layout, default);

    /// <summary>
    /// Builds the kernel's address space and turns paging on: identity-maps the first 1 MiB (BIOS data, VGA
    /// text buffer), the ranges of <paramref name="layout"/>, and the VMM's own frames (record, directory,
    /// scratch table) with 4 KiB supervisor read-write pages, then every range of <paramref name="bootRanges"/>
    /// (the boot information and the boot modules the PMM reserved, see
    /// <see cref="KernelSpaceLayout.CopyBootRanges"/>) with supervisor <b>read-only</b> pages; sets CR4.PSE (when
    /// the CPU has PSE) and CR4.PGE (when it has PGE; the identity pages are then Global), loads CR3, sets CR0.PG
    /// and CR0.WP. Other CR0 and CR4 bits keep their values.
    /// </summary>
    /// <remarks>
    /// <para>Boot data is mapped read-only because the kernel only reads it once paging is on, and with CR0.WP a
    /// stray write (say, a heap overrun) then faults instead of quietly corrupting a module; a page it shares with
    /// the end of the kernel image stays as the kernel's read-write mapping made it (pages already mapped to
    /// themselves are kept). A kernel that wants to reuse that memory unmaps it (<see cref="UnmapRegion"/>)
    /// before handing the frames back to the PMM.</para>
    /// <para>Every range must lie in the kernel part (below <see cref="PagingLayout.KernelSpaceEnd"/>), or the
    /// call fails with <see cref="VmmStatus.OutsideKernelSpace"/>. On failure (no frame for a table, a range
    /// already mapped elsewhere) paging stays off and the identity pages made so far stay in the kernel's
    /// directory; a second call keeps pages already mapped to themselves, so it can simply be retried. Page tables
    /// made here are not identity-mapped: once paging is on they are reached through the recursive entry like
    /// every other table.</para>
    /// </remarks>
    public VmmStatus EnablePaging(in KernelSpaceLayout layout, ReadOnlySpan<ReservedRange> bootRanges)
    {
        if (IsPagingEnabled || (_cpu.ReadCr0() & ControlRegisters.Cr0Paging) != 0)
            return VmmStatus.PagingAlreadyEnabled;
        VmmState* s = State;
        uint directory = s->KernelDirectory;
        if (s->CurrentDirectory != directory)
            return VmmStatus.AddressSpaceInUse;
        PageFlags kernel = KernelIdentityFlags;
        VmmStatus status = IdentityMapKernel(0, 0x100000, kernel);
        if (status == VmmStatus.Ok)
            status = IdentityMapKernel(layout.KernelStart, layout.KernelEnd, kernel);
        if (status == VmmStatus.Ok)
            status = IdentityMapKernel(layout.HeapStart, layout.HeapEnd, kernel);
        if (status == VmmStatus.Ok)
            status = IdentityMapKernel(layout.MetadataStart, layout.MetadataEnd, kernel, largePages: true); // the better fit: it is big and never unmapped
        if (status == VmmStatus.Ok)
            status = IdentityMapKernel(_state, _state + Frames.Size, kernel);
        if (status == VmmStatus.Ok)
            status = IdentityMapKernel(directory, (ulong)directory + Frames.Size, kernel);
        if (status == VmmStatus.Ok)
            status = IdentityMapKernel(s->ScratchTable, (ulong)s->ScratchTable + Frames.Size, kernel);
        for (int i = 0; status == VmmStatus.Ok && i < bootRanges.Length; i++)
            status = IdentityMapKernel(bootRanges[i].Base, bootRanges[i].Base + bootRanges[i].Length, kernel & ~PageFlags.Writable);
        if (status != VmmStatus.Ok)
            return status;
        uint cr4 = _cpu.ReadCr4();
        if (_cpu.Features.Has(CpuFeatureFlags.Pse))
            cr4 |= ControlRegisters.Cr4PageSizeExtensions;
        if (_cpu.Features.Has(CpuFeatureFlags.Pge))
            cr4 |= ControlRegisters.Cr4PageGlobalEnable;
        _cpu.WriteCr4(cr4);
        _cpu.WriteCr3(directory);
        s->Flags |= VmmState.PagingOnFlag; // the record is identity-mapped, so this address stays valid
        _cpu.WriteCr0(_cpu.ReadCr0() | ControlRegisters.Cr0Paging | ControlRegisters.Cr0WriteProtect);
        return VmmStatus.Ok;
    }

    /// <summary>
    /// The flags of the kernel's own identity pages: supervisor read-write, and Global when the CPU has PGE (the
    /// kernel part is the same in every address space, so its translations may survive a CR3 load).
    /// </summary>
    public PageFlags KernelIdentityFlags =>
        _cpu.Features.Has(CpuFeatureFlags.Pge) ? PageFlags.Writable | PageFlags.Global : PageFlags.Writable;

    /// <summary>
    /// Identity-maps [<paramref name="start"/>, <paramref name="end"/>) for the kernel itself (what
    /// <c>PMM.AllocFrame(n, identityMap: true)</c> asks for): 4 KiB pages with <see cref="KernelIdentityFlags"/>,
    /// all or nothing as <see cref="IdentityMapRegion"/>. Refused with <see cref="VmmStatus.OutsideKernelSpace"/>
    /// when the range reaches into the user part, where it would be private to the current address space.
    /// </summary>
    public VmmStatus IdentityMapKernelRegion(PhysicalAddress start, PhysicalAddress end)
    {
        if (end.Value > start.Value && Frames.AlignUp(end.Value) > PagingLayout.KernelSpaceEnd)
            return VmmStatus.OutsideKernelSpace;
        return IdentityMapRegion(start, end, KernelIdentityFlags, IdentityMapPolicy.Small);
    }

    // ---- address spaces --------------------------------------------------------------------------------------

    /// <summary>Address spaces other than the kernel's that exist now.</summary>
    public uint AddressSpaceCount => State->SpaceCount;

    /// <summary>
    /// Makes a new page directory: the kernel part is the kernel directory's (the same page tables and 4 MiB
    /// pages, kept the same from then on), the user part is empty, and slot 1023 is its own recursive entry.
    /// Fails with <see cref="VmmStatus.TooManyAddressSpaces"/> when the VMM's list of directories is full.
    /// </summary>
    public VmmStatus CreateAddressSpace(out PhysicalAddress directory)
    {
        directory = default;
        VmmState* s = State;
        if (s->SpaceCount >= VmmState.RegistryCapacity)
            return VmmStatus.TooManyAddressSpaces;
        if (!TryTakeFrame(ref _frames, out PhysicalAddress frame))
            return VmmStatus.NoFrame;
        uint kernel = s->KernelDirectory;
        bool paging = IsPagingEnabled;
        ulong target = MapScratch(PagingLayout.ScratchPageA, frame.Value);
        ulong source = paging && s->CurrentDirectory == kernel
            ? PagingLayout.DirectoryWindow
            : MapScratch(PagingLayout.ScratchPageB, kernel);
        _window.Zero(target, Frames.Size);
        uint* to = (uint*)_window.Bytes(target, Frames.Size, MemoryAccess.Write);
        uint* from = (uint*)_window.Bytes(source, Frames.Size, MemoryAccess.Read);
        for (uint d = 0; d < PagingLayout.RecursiveSlot; d++)
            if (PagingLayout.IsKernelSlot(d))
                to[d] = from[d];
        to[PagingLayout.RecursiveSlot] = (uint)frame.Value | SupervisorEntryFlags;
        UnmapScratch(PagingLayout.ScratchPageA);
        UnmapScratch(PagingLayout.ScratchPageB);
        _window.Write(_state + VmmState.RegistryOffset + s->SpaceCount * 4, (uint)frame.Value);
        s->SpaceCount++;
        directory = frame;
        return VmmStatus.Ok;
    }

    /// <summary>
    /// Makes <paramref name="directory"/> (the kernel's, or one from <see cref="CreateAddressSpace"/>) the current
    /// address space (loads CR3 when paging is on). Its kernel part is already up to date: nothing is copied here.
    /// </summary>
    public VmmStatus SwitchAddressSpace(PhysicalAddress directory)
    {
        if (!IsDirectory(directory))
            return VmmStatus.InvalidAddressSpace;
        State->CurrentDirectory = (uint)directory.Value;
        if (IsPagingEnabled)
            _cpu.WriteCr3((uint)directory.Value);
        return VmmStatus.Ok;
    }

    /// <summary>
    /// <see cref="AllocPage"/> in <paramref name="space"/> rather than the current address space (to fill a space
    /// before it first runs). It is entered for the call and left again: two CR3 loads when paging is on, which
    /// drop the non-global translations, so it suits setting a space up rather than a hot path.
    /// </summary>
    public VmmStatus AllocPageIn(PhysicalAddress space, VirtualAddress virt, PhysicalAddress phys, PageFlags flags)
    {
        PhysicalAddress previous = CurrentDirectory;
        if (space.Value == previous.Value)
            return AllocPage(virt, phys, flags);
        VmmStatus entered = SwitchAddressSpace(space);
        if (entered != VmmStatus.Ok)
            return entered;
        VmmStatus status = AllocPage(virt, phys, flags);
        SwitchAddressSpace(previous);
        return status;
    }

    /// <summary><see cref="FreePage"/> in <paramref name="space"/> rather than the current address space (see <see cref="AllocPageIn"/>).</summary>
    public VmmStatus FreePageIn(PhysicalAddress space, VirtualAddress virt)
    {
        PhysicalAddress previous = CurrentDirectory;
        if (space.Value == previous.Value)
            return FreePage(virt);
        VmmStatus entered = SwitchAddressSpace(space);
        if (entered != VmmStatus.Ok)
            return entered;
        VmmStatus status = FreePage(virt);
        SwitchAddressSpace(previous);
        return status;
    }

    /// <summary>
    /// Frees an address space that is neither the kernel's nor the current one: the page tables of its user part
    /// and its directory go back to the frame source (the kernel part's tables are the kernel's; mapped frames
    /// belong to whoever mapped them).
    /// </summary>
    public VmmStatus DestroyAddressSpace(PhysicalAddress directory)
    {
        VmmState* s = State;
        if (directory.Value == s->KernelDirectory || directory.Value == s->CurrentDirectory)
            return VmmStatus.AddressSpaceInUse;
        int index = RegistryIndex(directory);
        if (index < 0)
            return VmmStatus.InvalidAddressSpace;
        ulong mapped = MapScratch(PagingLayout.ScratchPageA, directory.Value);
        uint* entries = (uint*)_window.Bytes(mapped, Frames.Size, MemoryAccess.Write);
        for (uint d = 0; d <= PagingLayout.RecursiveSlot; d++)
        {
            PageDirectoryEntry pde = new(entries[d]);
            if (d < PagingLayout.RecursiveSlot && !PagingLayout.IsKernelSlot(d) && pde.IsPresent && !pde.IsLargePage)
                _frames.Free(pde.TableAddress);
            entries[d] = 0;
        }
        UnmapScratch(PagingLayout.ScratchPageA);
        // Take it off the list (the last entry fills the hole) before the frame can be handed out again.
        s->SpaceCount--;
        ulong registry = _state + VmmState.RegistryOffset;
        _window.Write(registry + (uint)index * 4, _window.Read<uint>(registry + s->SpaceCount * 4));
        _window.Write(registry + s->SpaceCount * 4, 0u);
        _frames.Free(directory);
        return VmmStatus.Ok;
    }
    // ---- internals -------------------------------------------------------------------------------------------

    private static bool TryTakeFrame(ref TFrames frames, out PhysicalAddress frame)
    {
        if (!frames.TryAllocate(out frame))
            return false;
        if (frame.IsFrameAligned && frame.Value < AddressLimits.FourGiB && !frame.IsNull)
            return true;
        frames.Free(frame);
        frame = default;
        return false;
    }

    private static PageFlags SanitizeFlags(PageFlags flags, uint slot)
    {
        uint allowed = PagingLayout.IsKernelSlot(slot) ? AllowedPageFlags : AllowedPageFlags & ~(uint)PageFlags.Global;
        return (PageFlags)(((uint)flags & allowed) | (uint)PageFlags.Present);
    }

    private ulong DirectoryEntryAddress(uint index) =>
        IsPagingEnabled ? PagingLayout.DirectoryWindow + index * 4 : (ulong)State->CurrentDirectory + index * 4;

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
        ulong registry = _state + VmmState.RegistryOffset;
        for (uint i = 0; i < s->SpaceCount; i++)
            WriteEntryIn(_window.Read<uint>(registry + i * 4), d, value);
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
        _window.Write(at + d * 4, value);
        UnmapScratch(PagingLayout.ScratchPageB);
    }

    /// <summary>Where the table of slot <paramref name="d"/> is reachable: the recursive window once paging is on.</summary>
    private ulong TableBase(uint d, PageDirectoryEntry pde) =>
        IsPagingEnabled ? PagingLayout.TablesBase + d * Frames.Size : pde.TableAddress.Value;

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
            _cpu.InvalidatePage(PagingLayout.TablesBase + d * Frames.Size); // the slot's alias may be cached from an earlier table
        return VmmStatus.Ok;
    }

    private void ReleaseTable(uint d, PageDirectoryEntry pde)
    {
        SetPde(d, 0);
        if (IsPagingEnabled)
            _cpu.InvalidatePage(PagingLayout.TablesBase + d * Frames.Size);
        _frames.Free(pde.TableAddress);
    }

    private bool TableIsEmpty(uint d, PageDirectoryEntry pde)
    {
        uint* table = (uint*)_window.Bytes(TableBase(d, pde), Frames.Size, MemoryAccess.Read);
        for (uint t = 0; t < 1024; t++)
            if ((table[t] & (uint)PageFlags.Present) != 0)
                return false;
        return true;
    }

    private bool StraddlesLargePage(ulong boundary)
    {
        if (boundary >= AddressLimits.FourGiB || (boundary & LargeOffsetMask) == 0)
            return false;
        PageDirectoryEntry pde = ReadPde((uint)(boundary >> 22));
        return pde.IsPresent && pde.IsLargePage;
    }

    /// <summary>Frees every mapping in [first, last) (4 MiB pages starting inside it whole).</summary>
    private void UnmapMapped(ulong first, ulong last)
    {
        ulong a = first;
        while (a < last)
        {
            PageInfo info = Query(new VirtualAddress((uint)a));
            if (info.Size == PageSize.Size4MiB)
            {
                FreePage(new VirtualAddress((uint)a & ~LargeOffsetMask));
                a = (a & ~(ulong)LargeOffsetMask) + Frames.LargeSize;
                continue;
            }
            if (info.IsMapped)
                FreePage(new VirtualAddress((uint)a));
            a += Frames.Size;
        }
    }

    /// <summary>Identity-maps a kernel range with 4 KiB pages, accepting pages already mapped to themselves.</summary>
    private VmmStatus IdentityMapKernel(ulong start, ulong end, PageFlags flags, bool largePages = false)
    {
        if (end <= start)
            return VmmStatus.Ok;
        ulong first = Frames.AlignDown(start);
        ulong last = Frames.AlignUp(end);
        if (last > AddressLimits.FourGiB)
            return VmmStatus.InvalidRange;
        if (last > PagingLayout.KernelSpaceEnd)
            return VmmStatus.OutsideKernelSpace;
        largePages &= _cpu.Features.Has(CpuFeatureFlags.Pse);
        for (ulong a = first; a < last; a += Frames.Size)
        {
            // A whole, aligned, still empty 4 MiB stretch inside the range takes one PSE entry instead of a table.
            if (largePages && (a & (Frames.LargeSize - 1)) == 0 && last - a >= Frames.LargeSize
                && !ReadDirectoryEntry((uint)(a >> 22)).IsPresent)
            {
                VmmStatus large = AllocPage4MiB(new VirtualAddress((uint)a), new PhysicalAddress(a), flags);
                if (large != VmmStatus.Ok)
                    return large;
                a += Frames.LargeSize - Frames.Size;
                continue;
            }
            PageInfo info = Query(new VirtualAddress((uint)a));
            if (info.IsMapped)
            {
                if (info.Physical.Value != a)
                    return VmmStatus.AlreadyMapped;
                continue;
            }
            VmmStatus status = AllocPage(new VirtualAddress((uint)a), new PhysicalAddress(a), flags);
            if (status != VmmStatus.Ok)
                return status;
        }
        return VmmStatus.Ok;
    }

    /// <summary>Makes the frame at <paramref name="phys"/> reachable: the scratch page once paging is on, else itself.</summary>
    private ulong MapScratch(uint page, ulong phys)
    {
        if (!IsPagingEnabled)
            return phys;
        ulong entry = PagingLayout.TablesBase + PagingLayout.ScratchSlot * Frames.Size + ((page >> 12) & 1023) * 4;
        _window.Write(entry, (uint)phys | SupervisorEntryFlags);
        _cpu.InvalidatePage(page); // the scratch page may still translate to the frame it showed last
        return page;
    }

    private void UnmapScratch(uint page)
    {
        if (!IsPagingEnabled)
            return;
        ulong entry = PagingLayout.TablesBase + PagingLayout.ScratchSlot * Frames.Size + ((page >> 12) & 1023) * 4;
        if (_window.Read<uint>(entry) == 0)
            return;
        _window.Write(entry, 0u);
        _cpu.InvalidatePage(page);
    }

    /// <summary>True for the kernel directory and every directory on the list.</summary>
    private bool IsDirectory(PhysicalAddress directory) =>
        directory.Value == State->KernelDirectory || RegistryIndex(directory) >= 0;

    /// <summary>Where <paramref name="directory"/> sits on the list of address spaces, or -1.</summary>
    private int RegistryIndex(PhysicalAddress directory)
    {
        if (!directory.IsFrameAligned || directory.Value >= AddressLimits.FourGiB || directory.IsNull)
            return -1;
        VmmState* s = State;
        ulong registry = _state + VmmState.RegistryOffset;
        for (uint i = 0; i < s->SpaceCount; i++)
            if (_window.Read<uint>(registry + i * 4) == (uint)directory.Value)
                return (int)i;
        return -1;
    }
}
