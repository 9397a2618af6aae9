using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MioOS.Memory.Hosting;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Support;

/// <summary>
/// A resolving window over simulated RAM that records every range the core touches, so a test can assert that a
/// parser read nothing outside the structures it was given.
/// </summary>
internal sealed unsafe class RecordingWindow : IDisposable
{
    private readonly SimulatedRam _ram;
    private GCHandle _self;

    public RecordingWindow(SimulatedRam ram)
    {
        _ram = ram;
        _self = GCHandle.Alloc(this);
        Window = new MemoryWindow(&Resolve, ram.Size, GCHandle.ToIntPtr(_self));
    }

    public MemoryWindow Window { get; }

    public List<(ulong Address, uint Length)> Accesses { get; } = [];

    private static byte* Resolve(nint context, ulong address, uint length, MemoryAccess access)
    {
        var self = (RecordingWindow)GCHandle.FromIntPtr(context).Target!;
        self.Accesses.Add((address, length));
        return (byte*)Unsafe.AsPointer(ref self._ram.Bytes(address, (int)length).GetPinnableReference());
    }

    public void Dispose()
    {
        if (_self.IsAllocated)
            _self.Free();
    }
}
