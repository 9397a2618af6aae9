using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

/// <summary>
/// Fixed places in every address space the VMM builds.
/// </summary>
/// <remarks>
/// <para>Page tables stay reachable after paging is on through a <b>recursive directory entry</b>: entry 1023
/// of every page directory points at the directory itself, so the CPU, walking an address in the top 4 MiB,
/// uses the directory as a page table and each page-directory entry as a page-table entry. Page table
/// <c>i</c> then appears at <see cref="TablesBase"/> + 4 KiB x i and the directory at
/// <see cref="DirectoryWindow"/>. Chosen over a pool of pre-mapped frames because it reaches every table of
/// the current address space with no pool to size, refill or run dry, page tables come from the PMM like
/// any other frame (so an empty one simply goes back), and the cost is 4 MiB of virtual space.</para>
/// <para>Directories that are not current (a new address space being built or destroyed) are reached through
/// two scratch pages at the top of directory slot 1022, whose page table the VMM creates at start-up and
/// shares with every address space. So the top 8 MiB (0xFF800000 up) are the VMM's and cannot be mapped.</para>
/// <para>The directory is split in two. The <b>kernel part</b> is slots 0-511 (0 to <see cref="KernelSpaceEnd"/>,
/// 2 GiB: the identity-mapped low memory of the kernel image, heap, PMM metadata, boot data and anything the kernel
/// maps for itself) plus the scratch slot; the <b>user part</b> is slots 512-1021, private to each address space;
/// slot 1023 is each directory's own recursive entry. The kernel part sits low because the kernel identity-maps the
/// physical memory it uses, which is low. Every directory holds the same kernel entries: the kernel directory is
/// the master copy, and whenever the VMM changes a kernel entry (a page table made or freed, a 4 MiB page mapped or
/// unmapped) it writes the change into every live directory, which it keeps in a list (the approach of 32-bit
/// Linux without shared kernel PMDs: <c>pgd_list</c>, walked by <c>vmalloc_sync_all</c> and <c>__set_pmd_pte</c>).
/// Chosen over pre-creating every kernel page table when paging is enabled, which costs 2 MiB of tables up front and
/// rules out 4 MiB kernel pages (a slot cannot hold both), and over syncing lazily when a space is switched to,
/// which leaves stale kernel entries (to freed tables) in directories that are not running. Kernel page tables can
/// then be freed when they empty, as private ones are: the removal reaches every directory.</para>
/// </remarks>
public static class PagingLayout
{
    /// <summary>The directory slot that points at the directory itself: the last one, 1023.</summary>
    public const uint RecursiveSlot = Frames.PerLargePage - 1;

    /// <summary>
    /// Where page table i appears (plus 4 KiB x i) once paging is on: the 4 MiB the recursive slot maps, 0xFFC00000.
    /// </summary>
    public const uint TablesBase = RecursiveSlot << Frames.LargeShift;

    /// <summary>
    /// Where the current page directory appears once paging is on (the table of the recursive slot), 0xFFFFF000.
    /// </summary>
    public const uint DirectoryWindow = TablesBase + RecursiveSlot * Frames.Size;

    /// <summary>The directory slot whose page table holds the scratch pages: 1022, just below the recursive slot.</summary>
    public const uint ScratchSlot = RecursiveSlot - 1;

    /// <summary>The first scratch page, 0xFFBFE000: the scratch slot's last page but one.</summary>
    public const uint ScratchPageA = TablesBase - 2 * Frames.Size;

    /// <summary>The second scratch page, 0xFFBFF000: the scratch slot's last page.</summary>
    public const uint ScratchPageB = TablesBase - Frames.Size;

    /// <summary>The end of the kernel part of every address space (exclusive): slots below it are shared by all.</summary>
    public const uint KernelSpaceEnd = (uint)Physical.KernelLayout.IdentityMappedLimit;

    /// <summary>The first directory slot of the user part (private to each address space).</summary>
    public const uint UserSlotBase = KernelSpaceEnd >> Frames.LargeShift;

    /// <summary>
    /// True when directory slot <paramref name="slot"/> is the kernel's: the same entry in every address space
    /// (slots below <see cref="UserSlotBase"/>, and the scratch slot).
    /// </summary>
    public static bool IsKernelSlot(uint slot) => slot < UserSlotBase || slot == ScratchSlot;

    /// <summary>The first address of the VMM's own window: directory slots 1022 (scratch table) and 1023 (recursive).</summary>
    public const uint ReservedBase = ScratchSlot << Frames.LargeShift;

    /// <summary>
    /// True when <paramref name="linear"/> lies in the VMM's own top 8 MiB: the scratch slot and the recursive slot.
    /// The whole scratch slot is kept back, not just its two pages, because its table is shared by every address
    /// space: a page mapped there from one space would show in all of them.
    /// </summary>
    public static bool IsReserved(uint linear) => linear >= ReservedBase;
}
