namespace MioOS.Memory.Hosting.Traces;

/// <summary>What a trace line records.</summary>
public enum TraceEventKind : byte
{
    /// <summary><c>m ID SIZE</c>: malloc(SIZE).</summary>
    Malloc,

    /// <summary><c>c ID NMEMB SIZE</c>: calloc(NMEMB, SIZE).</summary>
    Calloc,

    /// <summary><c>r OLDID NEWID SIZE</c>: realloc(old, SIZE); OLDID "-" for realloc(NULL, SIZE).</summary>
    Realloc,

    /// <summary><c>a ID ALIGN SIZE</c>: posix_memalign / aligned_alloc / memalign.</summary>
    Aligned,

    /// <summary><c>f ID</c>: free of a live block.</summary>
    Free,
}

/// <summary>One event of an allocation trace (format: data/traces/README.md).</summary>
/// <param name="Kind">The call.</param>
/// <param name="Id">The block the call creates (m, c, r, a) or frees (f).</param>
/// <param name="OldId">For realloc: the block replaced, -1 for realloc(NULL, SIZE); otherwise -1.</param>
/// <param name="Size">Bytes requested (for calloc: the element size).</param>
/// <param name="Extra">calloc: the element count; aligned: the alignment; otherwise 0.</param>
public readonly record struct TraceEvent(TraceEventKind Kind, int Id, int OldId, uint Size, uint Extra)
{
    /// <summary>The bytes the program asked for (calloc: count times size).</summary>
    public ulong RequestedBytes => Kind == TraceEventKind.Calloc ? (ulong)Extra * Size : Size;
}
