using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

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
public unsafe partial struct VirtualMemoryManager<TCpu, TFrames>
    where TCpu : struct, ICpu
    where TFrames : struct, IPageTableFrames
{
    private const uint TableEntryFlags = (uint)(PageFlags.Present | PageFlags.Writable | PageFlags.User);
    private const uint SupervisorEntryFlags = (uint)(PageFlags.Present | PageFlags.Writable);
    private const uint AllowedPageFlags = (uint)(PageFlags.Writable | PageFlags.User | PageFlags.WriteThrough |
        PageFlags.CacheDisable | PageFlags.Accessed | PageFlags.Dirty | PageFlags.Pat | PageFlags.Global);
    private const uint EntrySize = sizeof(uint); // a directory or table entry, and a slot on the list of spaces
    private const uint IndexMask = Frames.PerLargePage - 1; // an index into a directory or a table

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
    /// <remarks>Contract: <paramref name="frames"/> hands out only frames nobody else uses, and
    /// <paramref name="window"/> reaches them: as physical memory while paging is off and, once
    /// <see cref="EnablePaging(in KernelSpaceLayout)"/> has turned it on, as linear addresses through the MMU (on the
    /// metal a window with base 0, hosted the checked window), because tables are then reached through the recursive
    /// entry. From then on the record, the kernel directory, the scratch table and every table or directory the VMM
    /// takes from <paramref name="frames"/> are its own until it gives them back: nothing else writes or frees them,
    /// and only the VMM loads CR3 or turns paging on. <paramref name="cpu"/> is the CPU it runs on (its features
    /// decide 4 MiB and global pages).</remarks>
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
        window.Write(directory.Value + PagingLayout.RecursiveSlot * EntrySize, (uint)directory.Value | SupervisorEntryFlags);
        window.Write(directory.Value + PagingLayout.ScratchSlot * EntrySize, (uint)scratch.Value | SupervisorEntryFlags);
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
    /// <remarks>Contract: <paramref name="state"/> is the <see cref="StateAddress"/> of a VMM that <see cref="Create"/>
    /// made, and <paramref name="window"/>, <paramref name="cpu"/> and <paramref name="frames"/> are what it runs
    /// with: a window that reaches its record and its tables as <see cref="Create"/> requires, the same CPU, and the
    /// same frame source (tables this handle frees go back to it). Nothing is checked, not even the record's magic:
    /// the handle is only as good as that promise. Handles share the one VMM and its lock (in the record), so calls through them
    /// may overlap.</remarks>
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
}
