using System;
using MioOS.Memory.Heap;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Hosting.Heap;

/// <summary>
/// The kernel heap on a simulated PC, for .NET callers: the core <see cref="KernelHeap{TGrowth}"/> at the
/// default place (0x200000, 3 MiB), growing into the RAM above, with misuse turned into
/// <see cref="HeapMisuseException"/>. What the heap tests build on: a heap of any place and size with no PMM, growing
/// by a source whose policy the reference model restates. Replays and benchmarks run on the booted machine of
/// <see cref="Traces.TraceReplayer.BootMachine"/> instead.
/// </summary>
public sealed class HostedHeap : IDisposable
{
    /// <summary>Default heap start: the kernel's, at its default base + 0x100000.</summary>
    public const uint DefaultStart = (uint)(KernelLayout.DefaultKernelBase + KernelLayout.HeapOffset);

    /// <summary>Default initial size: the kernel's, 3 MiB.</summary>
    public const uint DefaultSize = (uint)KernelLayout.InitialHeapSize;

    /// <summary>Where the growth source's state record sits (low memory, unused by the heap).</summary>
    public const uint GrowthStateAddress = 0x1000;

    /// <summary>The gap between the initial heap and the growth area: 1 MiB.</summary>
    private const uint GrowthGap = 1u << 20;

    /// <summary>Where growth starts: 1 MiB past the initial heap (the PMM's metadata would sit in between).</summary>
    public const uint DefaultGrowthStart = DefaultStart + DefaultSize + GrowthGap;

    private readonly bool _ownsRam;

    /// <summary>The RAM.</summary>
    public SimulatedRam Ram { get; }

    /// <summary>The core heap (a handle; all its state is in <see cref="Ram"/>).</summary>
    public KernelHeap<ArenaHeapGrowth> Core { get; }

    /// <summary>The growth source.</summary>
    public ArenaHeapGrowth Growth { get; }

    /// <summary>A heap in a fresh simulated RAM of <paramref name="ramBytes"/>; growth up to the RAM's end
    /// (<paramref name="growthLimit"/> lowers that; 0 = the end). <paramref name="granule"/>: the payload alignment
    /// and size rounding (<see cref="HeapLayout.KernelGranule"/> or <see cref="HeapLayout.MallocGranule"/>).</summary>
    public HostedHeap(ulong ramBytes = 256UL << 20, HeapOptions options = HeapOptions.None, uint growthLimit = 0,
        uint start = DefaultStart, uint size = DefaultSize, uint granule = HeapLayout.KernelGranule)
        : this(new SimulatedRam(ramBytes), true, options, growthLimit, start, size, null, granule)
    {
    }

    /// <summary>A heap in an existing simulated RAM (not disposed with the heap), seen through
    /// <paramref name="window"/> (default: the RAM's direct window; a resolving window sees every access).</summary>
    public HostedHeap(SimulatedRam ram, HeapOptions options = HeapOptions.None, uint growthLimit = 0,
        uint start = DefaultStart, uint size = DefaultSize, MemoryWindow? window = null)
        : this(ram, false, options, growthLimit, start, size, window)
    {
    }

    private HostedHeap(SimulatedRam ram, bool ownsRam, HeapOptions options, uint growthLimit, uint start, uint size,
        MemoryWindow? through = null, uint granule = HeapLayout.KernelGranule)
    {
        Ram = ram;
        _ownsRam = ownsRam;
        MemoryWindow window = through ?? ram.DirectWindow;
        uint ramTop = ram.Size >= 0xFFFF_F000UL ? 0xFFFF_F000u : (uint)ram.Size;
        uint limit = growthLimit == 0 ? ramTop : Math.Min(growthLimit, ramTop);
        uint growthStart = start + size + GrowthGap;
        Growth = ArenaHeapGrowth.Create(window, GrowthStateAddress, growthStart, Math.Max(limit, growthStart));
        HeapStatus status = KernelHeap<ArenaHeapGrowth>.Create(window, start, size, Growth, options, granule,
            out var core);
        if (status != HeapStatus.Ok)
            throw new ArgumentException($"cannot create a heap at 0x{start:X} of {size} bytes: {status}");
        Core = core;
    }

    /// <summary>kmalloc; 0 when nothing fits (or size 0).</summary>
    public uint Kmalloc(uint size) => Core.Kmalloc(size);

    /// <summary>kcalloc; 0 on overflow or when nothing fits.</summary>
    public uint Kcalloc(uint count, uint size) => Core.Kcalloc(count, size);

    /// <summary>krealloc; misuse throws.</summary>
    public uint Krealloc(uint pointer, uint size)
    {
        uint result = Core.Krealloc(pointer, size, out HeapStatus status);
        ThrowOnMisuse(status, pointer);
        return result;
    }

    /// <summary>Aligned kmalloc; a bad alignment throws <see cref="ArgumentException"/>.</summary>
    public uint KmallocAligned(uint size, uint alignment)
    {
        uint result = Core.KmallocAligned(size, alignment, out HeapStatus status);
        if (status == HeapStatus.InvalidAlignment)
            throw new ArgumentException($"alignment {alignment} is not a power of two", nameof(alignment));
        return result;
    }

    /// <summary>kfree; misuse throws.</summary>
    public void Kfree(uint pointer) => ThrowOnMisuse(Core.Kfree(pointer), pointer);

    /// <summary>The counters.</summary>
    public HeapStats Stats() => Core.Stats();

    /// <summary>Gives the spare segment back now (<see cref="KernelHeap{TGrowth}.Trim"/>); the bytes given back.</summary>
    public uint Trim() => Core.Trim();

    /// <summary>The integrity walk.</summary>
    public HeapCheck CheckIntegrity() => Core.CheckIntegrity();

    /// <summary>The bytes at [address, address + length) in the RAM.</summary>
    public Span<byte> Bytes(uint address, int length) => Ram.Bytes(address, length);

    private void ThrowOnMisuse(HeapStatus status, uint pointer)
    {
        switch (status)
        {
            case HeapStatus.Ok:
            case HeapStatus.OutOfMemory:
            case HeapStatus.SizeOverflow:
                return;
            default:
                var stats = Core.Stats();
                throw new HeapMisuseException(status, stats.LastMisuse == status ? stats.LastMisuseAddress : pointer);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsRam)
            Ram.Dispose();
    }
}
