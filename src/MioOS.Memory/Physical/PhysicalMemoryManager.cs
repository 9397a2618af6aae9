using System;
using MioOS.Memory.Boot;
using MioOS.Memory.Collections;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Physical;

/// <summary>Outcome of <see cref="PhysicalMemoryManager.Initialize"/>: a status and the address it concerns.</summary>
public readonly struct PmmInitResult
{
    /// <summary>What happened.</summary>
    public readonly PmmInitStatus Status;

    /// <summary>The address concerned (the overlapping region, the first unusable byte).</summary>
    public readonly ulong Address;

    /// <summary>Creates a result.</summary>
    public PmmInitResult(PmmInitStatus status, ulong address)
    {
        Status = status;
        Address = address;
    }

    /// <summary>True when the PMM is ready.</summary>
    public bool IsOk => Status == PmmInitStatus.Ok;
}

/// <summary>
/// The physical memory manager (spec section 1): a free store of extents, first fit, split and merge, kept in
/// physical memory. Every extent, free or allocated, is described by the record slot of its first frame (one slot
/// per managed frame, found by arithmetic), so a free finds its allocation, its length and owner, and both free
/// neighbours without a search. Free extents of each region also sit in an address-ordered tree augmented with the
/// largest length class of each subtree (<see cref="ExtentClass"/>), so the lowest-addressed run that fits is found
/// without walking a list.
/// </summary>
/// <remarks>
/// The struct holds only the window, the address of its control block and where its record slots are: every bit of
/// state is in the metadata area, which holds a record for every managed frame, so the PMM never runs out of
/// metadata before it runs out of memory.
/// </remarks>
public readonly unsafe partial struct PhysicalMemoryManager
{

    /// <summary>Frame numbers are kept in 32 bits: memory at or above 16 TiB is not tracked.</summary>
    private const ulong TrackableLimit = 1ul << 44;

    private readonly MemoryWindow _window;
    private readonly ulong _state;

    // The record slots, found once: their address, and (through a direct window) where they are, with how many fit.
    private readonly ulong _records;
    private readonly byte* _slots;
    private readonly uint _slotRoom;

    private PhysicalMemoryManager(MemoryWindow window, ulong state)
    {
        _window = window;
        _state = state;
        PmmState* s = window.At<PmmState>(state, MemoryAccess.Read);
        _records = s->RecordsBase;
        ulong room = (s->MetadataBase + s->MetadataLength - s->RecordsBase) / ExtentRecord.Size;
        _slotRoom = (uint)(room < uint.MaxValue ? room : uint.MaxValue);
        _slots = ExtentStore.Resolve(window, _records, _slotRoom);
    }

    /// <summary>Reattaches to a PMM whose control block is at <paramref name="state"/> (e.g. after the window changes).</summary>
    /// <remarks>Contract: <paramref name="state"/> is the <see cref="StateAddress"/> of a PMM that
    /// <see cref="Initialize"/> started, and <paramref name="window"/> reaches its whole metadata area. Nothing is
    /// checked: the handle is only as good as that promise. Handles share the one PMM and its lock (in its control block),
    /// so calls through them may overlap.</remarks>
    public static PhysicalMemoryManager Attach(MemoryWindow window, ulong state) => new(window, state);

    /// <summary>The physical address of the control block (the start of the metadata area).</summary>
    public ulong StateAddress => _state;

    /// <summary>The window the PMM reaches its metadata through.</summary>
    public MemoryWindow Window => _window;

    private PmmState* S => _window.At<PmmState>(_state, MemoryAccess.Write);

    internal ExtentStore Store => new(_window, _records, _slots, _slotRoom);

    /// <summary>
    /// Builds the free store from a sanitised map: the low region from the kernel base to 4 GiB and the high
    /// region above, less the kernel image, the heap area, the metadata area and every boot region (info block,
    /// strings, modules). The metadata goes right after the heap when the available range there holds it, else
    /// into the lowest stretch of available memory below <see cref="KernelLayout.IdentityMappedLimit"/> that does.
    /// </summary>
    /// <remarks>Contract: <paramref name="map"/> is sanitised (sorted, non-overlapping, available ranges whole
    /// frames); <paramref name="bootRegions"/> names everything the loader wrote that must survive; the caller has
    /// not placed anything else in available memory outside the kernel image. From then on, every frame of available
    /// memory outside the reserved ranges is the PMM's: the caller touches only what the PMM hands out, and never the
    /// metadata area. The map and regions are copied: the spans may go once this returns.</remarks>
    public static PmmInitResult Initialize(in MemoryWindow window, KernelLayout layout, ReadOnlySpan<MemoryMapEntry> map,
        ReadOnlySpan<ReservedRange> bootRegions, out PhysicalMemoryManager pmm)
    {
        pmm = default;
        if ((layout.KernelBase & Frames.OffsetMask) != 0 || layout.KernelEnd < layout.KernelBase || layout.KernelBase >= AddressLimits.FourGiB)
            return new PmmInitResult(PmmInitStatus.BadKernelLayout, layout.KernelBase);
        if (layout.KernelEnd > layout.HeapStart)
            return new PmmInitResult(PmmInitStatus.KernelOverlapsHeap, layout.KernelEnd);

        // The kernel image, heap and metadata must lie in one available range.
        int home = -1;
        ulong lowAvailableFrames = 0, highAvailableFrames = 0;
        for (int i = 0; i < map.Length; i++)
        {
            if (map[i].Kind != MemoryType.Available)
                continue;
            lowAvailableFrames += FramesIn(map[i].Base, map[i].Base + map[i].Length, layout.KernelBase, AddressLimits.FourGiB);
            highAvailableFrames += FramesIn(map[i].Base, map[i].Base + map[i].Length, AddressLimits.FourGiB, TrackableLimit);
            if (map[i].Base <= layout.KernelBase && map[i].Last >= layout.KernelBase)
                home = i;
        }
        if (home < 0)
            return new PmmInitResult(PmmInitStatus.NoUsableLowMemory, layout.KernelBase);
        ulong homeEnd = map[home].Base + map[home].Length;
        if (homeEnd < layout.HeapEnd)
            return new PmmInitResult(PmmInitStatus.NoUsableLowMemory, homeEnd);

        // Metadata: control block, map copy, reserved list, then the record pool. One record per managed low
        // frame (+1); high memory is tracked as far as a budget of 1/8 of low memory allows (as 32-bit Linux's
        // mem_map for highmem had to live in lowmem).
        int reservedCapacity = 3 + bootRegions.Length;
        int spanCapacity = 2 * map.Length; // an available entry that crosses 4 GiB has a low and a high span
        ulong fixedBytes = Frames.AlignUp((ulong)sizeof(PmmState) + (ulong)map.Length * (ulong)sizeof(MemoryMapEntry)
            + (ulong)reservedCapacity * (ulong)sizeof(ReservedRange) + (ulong)spanCapacity * FrameSpan.Size);
        ulong lowRecords = lowAvailableFrames + 1;
        ulong budget = lowAvailableFrames * Frames.Size / 8;
        ulong highRecords = 0;
        if (budget > fixedBytes + lowRecords * ExtentRecord.Size)
            highRecords = (budget - fixedBytes - lowRecords * ExtentRecord.Size) / ExtentRecord.Size;
        if (highRecords > highAvailableFrames)
            highRecords = highAvailableFrames;

        for (int i = 0; i < bootRegions.Length; i++)
        {
            ReservedRange r = bootRegions[i];
            if (Overlaps(r.Base, r.Length, layout.HeapStart, KernelLayout.InitialHeapSize))
                return new PmmInitResult(PmmInitStatus.BootInfoInHeap, r.Base);
        }

        // The lowest place after the heap that holds it all; failing that, the roomiest one, with fewer high
        // records. On small-island maps the range after the heap can be far smaller than one further up.
        ulong metadataBase = FindMetadataPlace(map, bootRegions, layout.HeapEnd, MetadataBytes(fixedBytes, lowRecords + highRecords), out ulong room);
        if (metadataBase == 0)
        {
            ulong recordRoom = room > fixedBytes ? (room - fixedBytes) / ExtentRecord.Size : 0;
            if (recordRoom < lowRecords)
                return new PmmInitResult(PmmInitStatus.NoUsableLowMemory, homeEnd);
            highRecords = recordRoom - lowRecords;
            metadataBase = FindMetadataPlace(map, bootRegions, layout.HeapEnd, MetadataBytes(fixedBytes, lowRecords + highRecords), out _);
        }
        ulong capacity = lowRecords + highRecords;
        ulong metadataLength = MetadataBytes(fixedBytes, capacity);

        window.Zero(metadataBase, fixedBytes);
        PmmState* s = window.At<PmmState>(metadataBase, MemoryAccess.Write);
        s->Magic = PmmState.MagicValue;
        s->KernelBase = layout.KernelBase;
        s->KernelEnd = layout.KernelEnd;
        s->MetadataBase = metadataBase;
        s->MetadataLength = metadataLength;
        s->MapOffset = (ulong)sizeof(PmmState);
        s->ReservedOffset = s->MapOffset + (ulong)map.Length * (ulong)sizeof(MemoryMapEntry);
        s->ReservedCapacity = (uint)reservedCapacity;
        s->SpanOffset = s->ReservedOffset + (ulong)reservedCapacity * (ulong)sizeof(ReservedRange);
        s->SpanCapacity = (uint)spanCapacity;
        s->RecordsBase = metadataBase + fixedBytes;
        s->MapCount = (uint)map.Length;
        s->Firmware = FirmwareFigures.Of(map);
        for (int i = 0; i < map.Length; i++)
            window.Write(metadataBase + s->MapOffset + (ulong)i * (ulong)sizeof(MemoryMapEntry), map[i]);

        pmm = new PhysicalMemoryManager(window, metadataBase);
        pmm.AddReserved(layout.KernelBase, layout.KernelEnd - layout.KernelBase, ReservedKind.KernelImage);
        pmm.AddReserved(layout.HeapStart, KernelLayout.InitialHeapSize, ReservedKind.Heap);
        pmm.AddReserved(metadataBase, metadataLength, ReservedKind.PmmMetadata);
        for (int i = 0; i < bootRegions.Length; i++)
            pmm.AddReserved(bootRegions[i].Base, bootRegions[i].Length, bootRegions[i].Kind);
        // The record area holds capacity slots; the spans take one per frame they index, never more (the low region's
        // frames are lowRecords - 1, the high region is tracked only as far as highRecords). Every slot starts empty.
        ClearSlotArea(window, s->RecordsBase, metadataLength - fixedBytes);
        pmm.BuildFreeStore(layout.KernelBase, highRecords);
        return new PmmInitResult(PmmInitStatus.Ok, 0);
    }

    private void BuildFreeStore(ulong kernelBase, ulong highFrameBudget)
    {
        PmmState* s = S;
        for (uint i = 0; i < s->MapCount; i++)
        {
            MemoryMapEntry e = MapEntry(i);
            if (e.Kind != MemoryType.Available)
                continue;
            ulong end = e.Base + e.Length;
            ulong lowStart = Max(e.Base, kernelBase), lowEnd = Min(end, AddressLimits.FourGiB);
            if (lowStart < lowEnd)
                AddSpan((uint)(lowStart >> Frames.Shift), (uint)((lowEnd - lowStart) >> Frames.Shift), FrameRegion.Low);
            AddUsable(lowStart, lowEnd, FrameRegion.Low);

            ulong highStart = Max(e.Base, AddressLimits.FourGiB);
            ulong highEnd = Min(end, TrackableLimit);
            if (highStart < highEnd)
            {
                ulong frames = (highEnd - highStart) >> Frames.Shift;
                ulong tracked = frames < highFrameBudget ? frames : highFrameBudget;
                highFrameBudget -= tracked;
                AddSpan((uint)(highStart >> Frames.Shift), (uint)tracked, FrameRegion.High);
                AddUsable(highStart, highStart + (tracked << Frames.Shift), FrameRegion.High);
            }
        }
        s->UntrackedFramesHigh = s->Firmware.UsableFramesAbove4G - s->ManagedFramesHigh;
    }

    /// <summary>Adds the part of [start, end) that no reserved range covers as free extents of a region.</summary>
    private void AddUsable(ulong start, ulong end, FrameRegion region)
    {
        PmmState* s = S;
        ulong cursor = start;
        for (uint i = 0; i < s->ReservedCount && cursor < end; i++)
        {
            ReservedRange r = Reserved(i);
            ulong rEnd = r.Base + r.Length;
            if (rEnd <= cursor)
                continue;
            if (r.Base >= end)
                break;
            if (r.Base > cursor)
                AddFreeRun(cursor, r.Base, region);
            cursor = rEnd;
        }
        if (cursor < end)
            AddFreeRun(cursor, end, region);
    }

    private void AddFreeRun(ulong start, ulong end, FrameRegion region)
    {
        PmmState* s = S;
        uint first = (uint)(start >> Frames.Shift);
        uint count = (uint)((end - start) >> Frames.Shift);
        uint slot = SlotOf(first);
        if (count == 0 || slot == 0)
            return;
        MarkHead(slot, first, count, region == FrameRegion.High ? (uint)ExtentFlags.High : 0);
        MarkFreeTail(slot, first, count);
        ExtentStore store = Store;
        if (region == FrameRegion.High)
        {
            AugmentedTree<ExtentStore>.Insert(ref store, ref s->HighFreeRoot, slot);
            s->FreeExtentsHigh++;
            s->FreeFramesHigh += count;
            s->ManagedFramesHigh += count;
        }
        else
        {
            AugmentedTree<ExtentStore>.Insert(ref store, ref s->LowFreeRoot, slot);
            s->FreeExtentsLow++;
            s->FreeFramesLow += count;
            s->ManagedFramesLow += count;
        }
    }

    /// <summary>Records a reserved range, rounded out to whole frames, keeping the list sorted by address.</summary>
    private void AddReserved(ulong baseAddress, ulong length, ReservedKind kind)
    {
        PmmState* s = S;
        if (length == 0 || s->ReservedCount == s->ReservedCapacity)
            return;
        ulong first = Frames.AlignDown(baseAddress);
        var range = new ReservedRange(first, Frames.AlignUp(baseAddress + length) - first, kind);
        uint i = s->ReservedCount++;
        while (i > 0 && Reserved(i - 1).Base > range.Base)
        {
            WriteReserved(i, Reserved(i - 1));
            i--;
        }
        WriteReserved(i, range);
    }

    /// <summary>Entry <paramref name="index"/> of the sanitised memory map the PMM was built from.</summary>
    public MemoryMapEntry MapEntry(uint index) =>
        _window.Read<MemoryMapEntry>(_state + S->MapOffset + index * (ulong)sizeof(MemoryMapEntry));

    /// <summary>Entries of the sanitised memory map.</summary>
    public uint MapCount => S->MapCount;

    /// <summary>Reserved range <paramref name="index"/>, in address order.</summary>
    public ReservedRange Reserved(uint index) =>
        _window.Read<ReservedRange>(_state + S->ReservedOffset + index * (ulong)sizeof(ReservedRange));

    /// <summary>Reserved ranges recorded.</summary>
    public uint ReservedCount => S->ReservedCount;

    private void WriteReserved(uint index, ReservedRange range) =>
        _window.Write(_state + S->ReservedOffset + index * (ulong)sizeof(ReservedRange), range);

    /// <summary>The kernel layout the PMM was initialised with.</summary>
    public KernelLayout Layout => new(S->KernelBase, S->KernelEnd);

    /// <summary>Zeroes [address, address + length) (whole frames), writing only the frames that are not zero already:
    /// reading costs about what writing does on the metal, and hosted a page of the simulated RAM that was never
    /// written stays unallocated (a large machine's slot area is hundreds of MiB).</summary>
    private static void ClearSlotArea(in MemoryWindow window, ulong address, ulong length)
    {
        for (ulong at = address; at < address + length; at += Frames.Size)
        {
            ulong* words = (ulong*)window.Bytes(at, Frames.Size, MemoryAccess.Read);
            for (uint i = 0; i < Frames.Size / sizeof(ulong); i++)
            {
                if (words[i] != 0)
                {
                    window.Zero(at, Frames.Size);
                    break;
                }
            }
        }
    }

    private static ulong MetadataBytes(ulong fixedBytes, ulong records) => fixedBytes + Frames.AlignUp(records * ExtentRecord.Size);

    /// <summary>
    /// The lowest frame-aligned address at or above <paramref name="from"/>, in the kernel's identity-mapped half,
    /// where <paramref name="bytes"/> fit inside one available range without touching a boot region; 0 when there
    /// is none. <paramref name="largestRoom"/> is the most that would fit anywhere.
    /// </summary>
    private static ulong FindMetadataPlace(ReadOnlySpan<MemoryMapEntry> map, ReadOnlySpan<ReservedRange> bootRegions, ulong from,
        ulong bytes, out ulong largestRoom)
    {
        largestRoom = 0;
        ulong found = 0;
        for (int i = 0; i < map.Length; i++)
        {
            if (map[i].Kind != MemoryType.Available)
                continue;
            ulong end = Min(map[i].Base + map[i].Length, KernelLayout.IdentityMappedLimit);
            ulong start = Frames.AlignUp(Max(map[i].Base, from));
            while (start < end)
            {
                // The free stretch runs from start to the lowest boot region that overlaps what is left.
                ulong stop = end, skipTo = end;
                for (int b = 0; b < bootRegions.Length; b++)
                {
                    ulong rStart = Frames.AlignDown(bootRegions[b].Base);
                    ulong rEnd = Frames.AlignUp(bootRegions[b].Base + bootRegions[b].Length);
                    if (rEnd > start && rStart < stop)
                    {
                        stop = Max(rStart, start);
                        skipTo = rEnd;
                    }
                }
                ulong roomHere = stop - start;
                largestRoom = Max(largestRoom, roomHere);
                if (found == 0 && roomHere >= bytes)
                    found = start;
                start = skipTo;
            }
        }
        return found;
    }

    private static ulong FramesIn(ulong start, ulong end, ulong low, ulong high)
    {
        ulong a = Frames.AlignUp(Max(start, low));
        ulong b = Frames.AlignDown(Min(end == 0 ? ulong.MaxValue : end, high));
        return b > a ? (b - a) >> Frames.Shift : 0;
    }

    private static bool Overlaps(ulong aBase, ulong aLength, ulong bBase, ulong bLength) =>
        aLength != 0 && bLength != 0 && aBase < bBase + bLength && bBase < aBase + aLength;

    private static ulong Max(ulong a, ulong b) => a > b ? a : b;

    private static ulong Min(ulong a, ulong b) => a < b ? a : b;
}
