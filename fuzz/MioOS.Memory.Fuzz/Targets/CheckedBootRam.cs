using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MioOS.Memory.Boot;
using MioOS.Memory.Hosting;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Fuzz.Targets;

/// <summary>
/// Simulated RAM for one boot-information input at a time, seen by the parser through a resolving window that
/// checks every access against the ranges the block points to (worked out here, independently of the parser):
/// a write, or a read of any byte outside them, is a finding, thrown at the access so its stack names the line.
/// </summary>
public sealed unsafe class CheckedBootRam : IDisposable
{
    /// <summary>Bytes of simulated RAM: more than the captured boots use (they end below 2 MiB).</summary>
    public const ulong RamSize = 16ul << 20;

    /// <summary>Module entries of an mb1 list whose strings may be read: the parser stops at its module buffer
    /// (<see cref="MultibootTarget.MaxModules"/>), so it can reach one entry more.</summary>
    private const int Mb1ModuleEntriesChecked = MultibootTarget.MaxModules + 1;

    private readonly SimulatedRam _ram = new(RamSize);
    private readonly List<(uint Address, int Length)> _written = [];
    private readonly List<(ulong Start, ulong End)> _allowed = [];
    private GCHandle _self;

    public CheckedBootRam()
    {
        _self = GCHandle.Alloc(this);
        Window = new MemoryWindow(&Resolve, _ram.Size, GCHandle.ToIntPtr(_self));
    }

    /// <summary>The window the parser is given.</summary>
    public MemoryWindow Window { get; }

    /// <summary>The ranges the parser may read for the block now in RAM.</summary>
    public IReadOnlyList<(ulong Start, ulong End)> Allowed => _allowed;

    /// <summary>Every access the parser made for the current input.</summary>
    public long Accesses { get; private set; }

    /// <summary>Clears the previous input and lays the records of <paramref name="image"/>; returns EBX.</summary>
    public uint Load(ReadOnlyMemory<byte> image)
    {
        foreach (var (address, length) in _written)
            _ram.Bytes(address, length).Clear();
        _written.Clear();
        _allowed.Clear();
        Accesses = 0;
        var records = BootImage.Decode(image);
        foreach (var (address, bytes) in records)
        {
            if ((ulong)address + (ulong)bytes.Length > _ram.Size)
                continue; // beyond RAM: the block then points at memory that is not there, which is a case to try too
            _ram.Write(address, bytes.Span);
            _written.Add((address, bytes.Length));
        }
        return records.Count > 0 ? records[0].Address : 0;
    }

    /// <summary>Works out what a parser of <paramref name="protocol"/> may read for the block at <paramref name="info"/>.</summary>
    public void Allow(BootProtocol protocol, uint info)
    {
        if (protocol == BootProtocol.Multiboot1)
            AllowMultiboot1(info);
        else
            AllowMultiboot2(info);
    }

    /// <summary>
    /// Multiboot 0.6.96: the 116-byte struct; the command line and loader name (flag bits 2, 9) up to their NUL;
    /// the module list (bit 3) and each listed module's string; the memory map (bit 6) over mmap_length.
    /// </summary>
    private void AllowMultiboot1(uint info)
    {
        if (!Fits(info, 116))
            return;
        Add(info, 116);
        uint flags = U32(info);
        if ((flags & (1u << 2)) != 0)
            AddString(U32(info + 16));
        if ((flags & (1u << 9)) != 0)
            AddString(U32(info + 64));
        if ((flags & (1u << 3)) != 0)
        {
            uint count = U32(info + 20), list = U32(info + 24);
            if (count > 0 && Fits(list, (ulong)count * 16))
            {
                Add(list, (ulong)count * 16);
                for (uint i = 0; i < count && i < Mb1ModuleEntriesChecked; i++)
                    AddString(U32(list + i * 16 + 8));
            }
        }
        if ((flags & (1u << 6)) != 0)
        {
            uint length = U32(info + 44), map = U32(info + 48);
            if (Fits(map, length))
                Add(map, length);
        }
    }

    /// <summary>Multiboot2: an 8-aligned block of total_size bytes (its 8-byte header at least); nothing outside it.</summary>
    private void AllowMultiboot2(uint info)
    {
        if ((info & 7) != 0 || !Fits(info, 8))
            return;
        uint total = U32(info);
        Add(info, Fits(info, total) ? Math.Max(total, 8u) : 8u);
    }

    /// <summary>A NUL-terminated string: up to and with its NUL, at most the parser's limit plus one byte.</summary>
    private void AddString(uint address)
    {
        if (address >= _ram.Size)
            return;
        int limit = (int)Math.Min(BootStringLimit + 1, _ram.Size - address);
        int nul = _ram.Bytes(address, limit).IndexOf((byte)0);
        Add(address, nul >= 0 ? (ulong)nul + 1 : (ulong)limit);
    }

    /// <summary>The longest string the parser measures outside a tag (4096 bytes).</summary>
    private const ulong BootStringLimit = 4096;

    private bool Fits(ulong address, ulong length) => address <= _ram.Size && length <= _ram.Size - address;

    private uint U32(ulong address) => BinaryPrimitives.ReadUInt32LittleEndian(_ram.Bytes(address, 4));

    private void Add(ulong start, ulong length)
    {
        if (length > 0)
            _allowed.Add((start, start + length));
    }

    private bool IsAllowed(ulong address, uint length)
    {
        foreach (var (start, end) in _allowed)
            if (address >= start && address <= end && length <= end - address)
                return true;
        return false;
    }

    private static byte* Resolve(nint context, ulong address, uint length, MemoryAccess access)
    {
        var self = (CheckedBootRam)GCHandle.FromIntPtr(context).Target!;
        self.Accesses++;
        if (access != MemoryAccess.Read)
            throw new FuzzFinding($"the parser wrote {length} bytes at 0x{address:X} (a reader never writes)");
        if (!self.IsAllowed(address, length))
            throw new FuzzFinding($"the parser read {length} bytes at 0x{address:X}, outside the structures the block points to ({self.Describe()})");
        return (byte*)Unsafe.AsPointer(ref self._ram.Bytes(address, (int)length).GetPinnableReference());
    }

    private string Describe() => string.Join(", ", _allowed.Select(r => $"[0x{r.Start:X}, 0x{r.End:X})"));

    public void Dispose()
    {
        if (_self.IsAllocated)
            _self.Free();
        _ram.Dispose();
    }
}
