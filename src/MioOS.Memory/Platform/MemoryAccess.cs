namespace MioOS.Memory.Platform;

/// <summary>What an access through the <see cref="MemoryWindow"/> does, so a checked window can apply the MMU's rules.</summary>
public enum MemoryAccess : byte
{
    /// <summary>The bytes are only read.</summary>
    Read = 0,

    /// <summary>The bytes may be written.</summary>
    Write = 1,
}
