using System.Runtime.InteropServices;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Tests.Platform;

/// <summary>The memory half of the seam: a direct window reaches exactly [0, limit), refuses the rest (through its
/// violation hook, or with a null pointer when it has none), and a resolving window hands every access to its
/// resolver.</summary>
public unsafe class MemoryWindowTests : IDisposable
{
    private const ulong Limit = 3 * Frames.Size;

    // The window's memory, with one guard frame past its limit so a zeroing that ran on would be seen.
    private readonly byte* _memory = (byte*)NativeMemory.AllocZeroed((nuint)(Limit + Frames.Size));

    public void Dispose() => NativeMemory.Free(_memory);

    [ThreadStatic] private static List<(ulong Address, ulong Length)>? s_violations;

    private static void RecordViolation(nint context, ulong address, ulong length) =>
        (s_violations ??= []).Add((address, length));

    [Theory]
    [InlineData(0UL, 0UL, true)]
    [InlineData(0UL, Limit, true)]
    [InlineData(0UL, Limit + 1, false)]
    [InlineData(Limit - 1, 1UL, true)]
    [InlineData(Limit - 1, 2UL, false)]
    [InlineData(Limit, 0UL, true)]      // an empty range at the limit touches nothing outside
    [InlineData(Limit, 1UL, false)]
    [InlineData(Limit + 1, 0UL, false)]
    [InlineData(1UL, ulong.MaxValue, false)] // a length that would wrap the address past 2^64
    public void A_window_contains_exactly_the_ranges_below_its_limit(ulong address, ulong length, bool inside)
    {
        var window = new MemoryWindow(_memory, Limit, null, 0);
        Assert.Equal(inside, window.Contains(address, length));
        Assert.Equal(Limit, window.Limit);
    }

    [Fact]
    public void An_access_inside_a_direct_window_is_at_base_plus_address()
    {
        var window = new MemoryWindow(_memory, Limit, null, 0);
        Assert.True(window.Bytes(0, 1, MemoryAccess.Read) == _memory);
        Assert.True(window.Bytes(Limit - 4, 4, MemoryAccess.Write) == _memory + Limit - 4);
        window.Write<uint>(0x1234, 0xCAFEF00D);
        Assert.Equal(0xCAFEF00Du, *(uint*)(_memory + 0x1234));
        Assert.Equal(0xCAFEF00Du, window.Read<uint>(0x1234));
    }

    [Fact]
    public void An_access_outside_a_direct_window_goes_to_its_violation_hook_with_address_and_length()
    {
        s_violations = [];
        var window = new MemoryWindow(_memory, Limit, &RecordViolation, 0);
        Assert.True(window.Bytes(Limit - 2, 4, MemoryAccess.Read) == null);
        Assert.True(window.Bytes(Limit - 4, 4, MemoryAccess.Read) == _memory + Limit - 4);
        Assert.Equal([(Limit - 2, 4UL)], s_violations);
    }

    [Fact]
    public void An_access_outside_a_window_without_a_hook_is_a_null_pointer()
    {
        var window = new MemoryWindow(_memory, Limit, null, 0);
        Assert.True(window.Bytes(Limit, 1, MemoryAccess.Read) == null);
    }

    [ThreadStatic] private static List<(nint Context, ulong Address, uint Length, MemoryAccess Access)>? s_resolved;

    private static byte* Resolve(nint context, ulong address, uint length, MemoryAccess access)
    {
        (s_resolved ??= []).Add((context, address, length, access));
        return (byte*)context + address;
    }

    [Fact]
    public void A_resolving_window_hands_every_access_to_its_resolver_even_past_its_limit()
    {
        s_resolved = [];
        var window = new MemoryWindow(&Resolve, Limit, (nint)_memory);
        window.Write<ushort>(0x10, 0xBEEF);
        Assert.Equal(0xBEEF, window.Read<ushort>(0x10));
        // The limit is the resolver's to enforce (the checked window faults there): the window itself asks.
        Assert.True(window.Bytes(Limit, 8, MemoryAccess.Read) == _memory + Limit);
        Assert.Equal(
            [((nint)_memory, 0x10UL, 2u, MemoryAccess.Write), ((nint)_memory, 0x10UL, 2u, MemoryAccess.Read), ((nint)_memory, Limit, 8u, MemoryAccess.Read)],
            s_resolved);
    }

    [Theory]
    [InlineData(0x0UL, 0x0UL)]
    [InlineData(0x10UL, 0x20UL)]
    [InlineData(0xFF0UL, 0x20UL)]         // across a frame boundary
    [InlineData(0x800UL, 0x1800UL)]       // from the middle of a frame to the end of the next
    [InlineData(0x0UL, Limit)]            // the whole window, frame by frame
    [InlineData(0x123UL, 2 * Frames.Size + 0x10)]
    public void Zero_clears_exactly_the_range_it_is_given(ulong address, ulong length)
    {
        new Span<byte>(_memory, (int)(Limit + Frames.Size)).Fill(0xAA);
        s_resolved = [];
        var window = new MemoryWindow(&Resolve, Limit + Frames.Size, (nint)_memory);
        window.Zero(address, length);
        for (ulong a = 0; a < Limit + Frames.Size; a++)
        {
            byte expected = a >= address && a < address + length ? (byte)0 : (byte)0xAA;
            if (_memory[a] != expected)
                Assert.Fail($"byte 0x{a:X} is 0x{_memory[a]:X2}, expected 0x{expected:X2}");
        }
        // A page at a time, so a checked window sees each page: no access crosses a frame boundary.
        Assert.All(s_resolved, r =>
        {
            Assert.Equal(MemoryAccess.Write, r.Access);
            Assert.Equal(r.Address / Frames.Size, (r.Address + r.Length - 1) / Frames.Size);
        });
    }
}
