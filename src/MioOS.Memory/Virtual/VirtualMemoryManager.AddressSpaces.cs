using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

// Address spaces: creating, switching, filling from outside, destroying; the list of their directories.
public unsafe partial struct VirtualMemoryManager<TCpu, TFrames>
{
    /// <summary>Address spaces other than the kernel's that exist now.</summary>
    public uint AddressSpaceCount => State->SpaceCount;

    /// <summary>
    /// Makes a new page directory: the kernel part is the kernel directory's (the same page tables and 4 MiB
    /// pages, kept the same from then on), the user part is empty, and slot 1023 is its own recursive entry.
    /// Fails with <see cref="VmmStatus.TooManyAddressSpaces"/> when the VMM's list of directories is full.
    /// </summary>
    public VmmStatus CreateAddressSpace(out PhysicalAddress directory)
    {
        uint held = VmmLock.Enter(ref State->Lock);
        VmmStatus result = CreateAddressSpaceLocked(out directory);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private VmmStatus CreateAddressSpaceLocked(out PhysicalAddress directory)
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
        _window.Write(RegistrySlot(s->SpaceCount), (uint)frame.Value);
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
        uint held = VmmLock.Enter(ref State->Lock);
        VmmStatus result = SwitchAddressSpaceLocked(directory);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private VmmStatus SwitchAddressSpaceLocked(PhysicalAddress directory)
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
        uint held = VmmLock.Enter(ref State->Lock);
        VmmStatus result = AllocPageInLocked(space, virt, phys, flags);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private VmmStatus AllocPageInLocked(PhysicalAddress space, VirtualAddress virt, PhysicalAddress phys, PageFlags flags)
    {
        VmmStatus entered = Enter(space, out PhysicalAddress previous);
        return entered != VmmStatus.Ok ? entered : Leave(previous, AllocPageLocked(virt, phys, flags));
    }

    /// <summary><see cref="FreePage"/> in <paramref name="space"/> rather than the current address space (see <see cref="AllocPageIn"/>).</summary>
    public VmmStatus FreePageIn(PhysicalAddress space, VirtualAddress virt)
    {
        uint held = VmmLock.Enter(ref State->Lock);
        VmmStatus result = FreePageInLocked(space, virt);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private VmmStatus FreePageInLocked(PhysicalAddress space, VirtualAddress virt)
    {
        VmmStatus entered = Enter(space, out PhysicalAddress previous);
        return entered != VmmStatus.Ok ? entered : Leave(previous, FreePageLocked(virt));
    }

    /// <summary>
    /// Frees an address space that is neither the kernel's nor the current one: the page tables of its user part
    /// and its directory go back to the frame source (the kernel part's tables are the kernel's; mapped frames
    /// belong to whoever mapped them).
    /// </summary>
    public VmmStatus DestroyAddressSpace(PhysicalAddress directory)
    {
        uint held = VmmLock.Enter(ref State->Lock);
        VmmStatus result = DestroyAddressSpaceLocked(directory);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private VmmStatus DestroyAddressSpaceLocked(PhysicalAddress directory)
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
        _window.Write(RegistrySlot((uint)index), _window.Read<uint>(RegistrySlot(s->SpaceCount)));
        _window.Write(RegistrySlot(s->SpaceCount), 0u);
        _frames.Free(directory);
        return VmmStatus.Ok;
    }

    /// <summary>
    /// Makes <paramref name="space"/> current for one call made in it (no CR3 load when it already is);
    /// <paramref name="previous"/> is the space to go back to with <see cref="Leave"/>.
    /// </summary>
    private VmmStatus Enter(PhysicalAddress space, out PhysicalAddress previous)
    {
        previous = CurrentDirectory;
        return space.Value == previous.Value ? VmmStatus.Ok : SwitchAddressSpaceLocked(space);
    }

    /// <summary>Goes back to <paramref name="previous"/> after <see cref="Enter"/>, passing on the call's <paramref name="result"/>.</summary>
    private VmmStatus Leave(PhysicalAddress previous, VmmStatus result)
    {
        if (CurrentDirectory.Value != previous.Value)
            SwitchAddressSpaceLocked(previous);
        return result;
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
        for (uint i = 0; i < s->SpaceCount; i++)
            if (_window.Read<uint>(RegistrySlot(i)) == (uint)directory.Value)
                return (int)i;
        return -1;
    }

    /// <summary>Where slot <paramref name="i"/> of the list of address spaces is, in the VMM's record frame.</summary>
    private ulong RegistrySlot(uint i) => _state + VmmState.RegistryOffset + i * EntrySize;
}
