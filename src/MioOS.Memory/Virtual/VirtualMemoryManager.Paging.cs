using System;
using MioOS.Memory.Boot;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

// Turning paging on: the kernel's identity-mapped address space, and identity maps the kernel asks for later.
public unsafe partial struct VirtualMemoryManager<TCpu, TFrames>
{
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
        uint held = VmmLock.Enter(ref State->Lock);
        VmmStatus result = EnablePagingLocked(layout, bootRanges);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private VmmStatus EnablePagingLocked(in KernelSpaceLayout layout, ReadOnlySpan<ReservedRange> bootRanges)
    {
        if (IsPagingEnabled || (_cpu.ReadCr0() & ControlRegisters.Cr0Paging) != 0)
            return VmmStatus.PagingAlreadyEnabled;
        VmmState* s = State;
        uint directory = s->KernelDirectory;
        if (s->CurrentDirectory != directory)
            return VmmStatus.AddressSpaceInUse;
        PageFlags kernel = KernelIdentityFlags;
        // The first MiB stays reachable (BIOS data, the loader's info below 1 MiB), but not page 0: a NULL
        // dereference must fault, as in every kernel people use.
        VmmStatus status = IdentityMapKernel(KernelLayout.NullGuardEnd, KernelLayout.LowMemoryEnd, kernel);
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
        uint held = VmmLock.Enter(ref State->Lock);
        VmmStatus result = IdentityMapKernelRegionLocked(start, end);
        VmmLock.Exit(ref State->Lock, held);
        return result;
    }

    private VmmStatus IdentityMapKernelRegionLocked(PhysicalAddress start, PhysicalAddress end)
    {
        if (end.Value > start.Value && Frames.AlignUp(end.Value) > PagingLayout.KernelSpaceEnd)
            return VmmStatus.OutsideKernelSpace;
        return IdentityMapRegionLocked(start, end, KernelIdentityFlags, IdentityMapPolicy.Small);
    }

    /// <summary>
    /// Identity-maps a kernel range for <c>EnablePaging</c>: 4 KiB pages, and a 4 MiB page for every whole, aligned,
    /// still empty 4 MiB stretch when <paramref name="largePages"/> and the CPU has PSE. Pages already mapped to
    /// themselves are kept, so a call that failed part way (nothing is undone) can be retried.
    /// </summary>
    private VmmStatus IdentityMapKernel(ulong start, ulong end, PageFlags flags, bool largePages = false)
    {
        if (end <= start)
            return VmmStatus.Ok;
        VmmStatus range = PageRange(start, end, out ulong first, out ulong last);
        if (range != VmmStatus.Ok)
            return range;
        if (last > PagingLayout.KernelSpaceEnd)
            return VmmStatus.OutsideKernelSpace;
        largePages &= _cpu.Features.Has(CpuFeatureFlags.Pse);
        uint step;
        for (ulong a = first; a < last; a += step)
        {
            // A slot that is still empty reads as unmapped here, so a 4 MiB stretch of it still gets its PSE entry.
            PageInfo info = QueryLocked(new VirtualAddress((uint)a));
            if (info.IsMapped)
            {
                if (info.Physical.Value != a)
                    return VmmStatus.AlreadyMapped;
                step = Frames.Size;
                continue;
            }
            VmmStatus status = IdentityMapNext(a, last, flags, largePages, out step);
            if (status != VmmStatus.Ok)
                return status;
        }
        return VmmStatus.Ok;
    }
}
