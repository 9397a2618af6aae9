using System.Runtime.CompilerServices;

namespace MioOS.Memory.Platform;

/// <summary>
/// The memory half of the hardware seam: turns an address the subsystem owns (physical, and identity-mapped
/// once paging is on) into a pointer.
/// </summary>
/// <remarks>
/// On the metal the base is 0 and the window reaches the identity-mapped space below 4 GiB. Hosted the base
/// is the simulated RAM arena and every access is bounds-checked against it. A host may install a resolver
/// that sees every access (the checked mode, where accesses made with paging on go through the simulated
/// MMU, so an access the metal would fault on fails the test). One struct, no virtual calls.
/// </remarks>
public readonly unsafe struct MemoryWindow
{
    private readonly byte* _base;
    private readonly ulong _limit;
    private readonly delegate*<nint, ulong, uint, MemoryAccess, byte*> _resolve;
    private readonly delegate*<nint, ulong, ulong, void> _violation;
    private readonly nint _context;

    /// <summary>A direct window: address A is at <paramref name="basePointer"/> + A for A below <paramref name="limit"/>.</summary>
    /// <param name="basePointer">Where physical address 0 is.</param>
    /// <param name="limit">The first address the window does not reach.</param>
    /// <param name="violation">Called with (context, address, length) for an access outside the window; must not
    /// return (the host throws, the kernel panics). Null: such an access returns a null pointer.</param>
    /// <param name="context">Passed to <paramref name="violation"/>.</param>
    /// <remarks>Contract: every address in [0, <paramref name="limit"/>) maps to readable and writable host memory at
    /// <paramref name="basePointer"/> + address for as long as the window is used (on the metal: identity-mapped
    /// physical memory; hosted: the RAM arena). The window owns nothing and frees nothing.</remarks>
    public MemoryWindow(byte* basePointer, ulong limit, delegate*<nint, ulong, ulong, void> violation, nint context)
    {
        _base = basePointer;
        _limit = limit;
        _violation = violation;
        _context = context;
        _resolve = null;
    }

    /// <summary>A resolving window: every access is handed to <paramref name="resolve"/> (context, address,
    /// length, access), which returns the pointer or does not return.</summary>
    /// <remarks>Contract: <paramref name="resolve"/> returns a pointer to at least <c>length</c> contiguous bytes
    /// that stay valid until the next call, or does not return (throws hosted, halts on the metal); it is called
    /// for every access, so it must be safe wherever the core runs (with the core's locks held).</remarks>
    public MemoryWindow(delegate*<nint, ulong, uint, MemoryAccess, byte*> resolve, ulong limit, nint context)
    {
        _base = null;
        _limit = limit;
        _violation = null;
        _resolve = resolve;
        _context = context;
    }

    /// <summary>The first address the window does not reach.</summary>
    public ulong Limit => _limit;

    /// <summary>True for a direct window (no resolver): a pointer <see cref="Bytes"/> returns for a range stays good for
    /// every byte of that range, so a caller may index into it without asking again.</summary>
    public bool IsDirect => _resolve == null;

    /// <summary>True when every byte of [address, address + length) lies inside the window. Touches nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(ulong address, ulong length) =>
        address <= _limit && length <= _limit - address;

    /// <summary>A pointer to <paramref name="length"/> bytes at <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* Bytes(ulong address, uint length, MemoryAccess access)
    {
        if (_resolve != null)
            return _resolve(_context, address, length, access);
        if (!Contains(address, length))
        {
            if (_violation != null)
                _violation(_context, address, length);
            return null;
        }
        return _base + address;
    }

    /// <summary>A typed pointer to a <typeparamref name="T"/> at <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T* At<T>(ulong address, MemoryAccess access) where T : unmanaged =>
        (T*)Bytes(address, (uint)sizeof(T), access);

    /// <summary>Reads a <typeparamref name="T"/> at <paramref name="address"/> (unaligned reads are fine on x86).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Read<T>(ulong address) where T : unmanaged => *At<T>(address, MemoryAccess.Read);

    /// <summary>Writes a <typeparamref name="T"/> at <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write<T>(ulong address, T value) where T : unmanaged => *At<T>(address, MemoryAccess.Write) = value;

    /// <summary>Fills [address, address + length) with zeroes, a page at a time so a checked window sees each page.</summary>
    public void Zero(ulong address, ulong length)
    {
        while (length > 0)
        {
            uint chunk = (uint)(Frames.Size - (address & Frames.OffsetMask));
            if (chunk > length)
                chunk = (uint)length;
            // Span.Clear: a vectorised memset hosted, the core library's clear on the metal (not a byte loop here).
            new System.Span<byte>(Bytes(address, chunk, MemoryAccess.Write), (int)chunk).Clear();
            address += chunk;
            length -= chunk;
        }
    }
}
