namespace MioOS.Memory.Physical;

/// <summary>
/// A stretch of frames the PMM indexes: the part of one available map entry in one region (from the kernel base to
/// 4 GiB, or the tracked part above 4 GiB). Frame <c>FirstFrame + i</c> owns record slot <c>FirstSlot + i</c>, so
/// the record of an extent is found from its first frame without a search. Spans are kept in address order, after
/// the reserved ranges in the PMM's metadata area.
/// </summary>
internal struct FrameSpan
{
    /// <summary>The first frame number of the stretch.</summary>
    public uint FirstFrame;

    /// <summary>Frames in the stretch.</summary>
    public uint Frames;

    /// <summary>The record id (1-based) of <see cref="FirstFrame"/>.</summary>
    public uint FirstSlot;

    /// <summary><see cref="FrameRegion"/> of the stretch (a span never crosses 4 GiB).</summary>
    public uint Region;

    public const uint Size = 16;
}
