using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MioOS.Memory.Heap;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Malloc;

/// <summary>
/// The heap's entry points for the C side (native/malloc.c): the core's <see cref="KernelHeap{TGrowth}"/> at the
/// malloc granule (<see cref="HeapLayout.MallocGranule"/>) over the address window the C side reserved. Addresses
/// are the heap's 32-bit offsets in that window; sizes are already checked to fit 32 bits. Only translation here:
/// the C side owns the C semantics (errno, <c>malloc(0)</c>, <c>realloc(p, 0)</c>); the heap's own lock, taken by
/// every call, is the futex lock of <see cref="FutexLock"/>.
/// </summary>
internal static unsafe class HeapEntryPoints
{
    private static KernelHeap<WindowGrowth> s_heap;

    /// <summary>Lays the heap over [start, start + length) of the window at <paramref name="window"/> (committed by
    /// the caller); the heap grows through <see cref="WindowGrowth"/>. Returns a <see cref="HeapStatus"/>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "mioos_heap_create", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static uint Create(byte* window, ulong limit, uint start, uint length)
    {
        MemoryWindow w = new(window, limit, &WindowViolation, 0);
        FutexLock.Install();
        return (uint)KernelHeap<WindowGrowth>.Create(w, start, length, default, HeapOptions.None,
            HeapLayout.MallocGranule, out s_heap);
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_heap_malloc", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static uint Malloc(uint size) => s_heap.Kmalloc(size);

    [UnmanagedCallersOnly(EntryPoint = "mioos_heap_calloc", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static uint Calloc(uint count, uint size) => s_heap.Kcalloc(count, size);

    /// <summary>krealloc of a live block to a size above 0; *status says why 0 came back (or what misuse was refused).</summary>
    [UnmanagedCallersOnly(EntryPoint = "mioos_heap_realloc", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static uint Realloc(uint pointer, uint size, uint* status)
    {
        uint result = s_heap.Krealloc(pointer, size, out HeapStatus s);
        *status = (uint)s;
        return result;
    }

    [UnmanagedCallersOnly(EntryPoint = "mioos_heap_aligned", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static uint Aligned(uint size, uint alignment) => s_heap.KmallocAligned(size, alignment);

    /// <summary>kfree; returns the <see cref="HeapStatus"/> (a misuse kind when refused).</summary>
    [UnmanagedCallersOnly(EntryPoint = "mioos_heap_free", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static uint Free(uint pointer) => (uint)s_heap.Kfree(pointer);

    [UnmanagedCallersOnly(EntryPoint = "mioos_heap_usable", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static uint Usable(uint pointer) => s_heap.UsableSize(pointer);

    /// <summary>The integrity walk: its <see cref="HeapStatus"/>, and where in *address.</summary>
    [UnmanagedCallersOnly(EntryPoint = "mioos_heap_check", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static uint Check(uint* address)
    {
        HeapCheck check = s_heap.CheckIntegrity();
        *address = check.Address;
        return (uint)check.Status;
    }

    /// <summary>The counters the C side reports (see native/heap.h, struct mioos_heap_figures).</summary>
    [UnmanagedCallersOnly(EntryPoint = "mioos_heap_figures", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void Figures(HeapFigures* figures)
    {
        HeapStats s = s_heap.Stats();
        figures->SizeBytes = s.SizeBytes;
        figures->UsedBytes = s.UsedBytes;
        figures->Blocks = s.Blocks;
        figures->InUseExtent = s.InUseExtent;
        figures->PeakInUseExtent = s.PeakInUseExtent;
        figures->Segments = s.Segments;
        figures->Grows = s.Grows;
        figures->Releases = s.Releases;
        figures->MisuseCount = s.MisuseCount;
        figures->LastMisuse = (uint)s.LastMisuse;
        figures->LastMisuseAddress = s.LastMisuseAddress;
    }

    private static void WindowViolation(nint context, ulong address, ulong length) =>
        Internal.Runtime.Fatal.Stop("heap address outside the window");
}

/// <summary>native/heap.h's struct mioos_heap_figures, field for field.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct HeapFigures
{
    public uint SizeBytes;
    public uint UsedBytes;
    public uint Blocks;
    public uint InUseExtent;
    public uint PeakInUseExtent;
    public uint Segments;
    public uint Grows;
    public uint Releases;
    public uint MisuseCount;
    public uint LastMisuse;
    public uint LastMisuseAddress;
}
