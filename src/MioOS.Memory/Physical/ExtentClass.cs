namespace MioOS.Memory.Physical;

/// <summary>
/// What the PMM's free trees are augmented with: a class of a free extent's length, equal to the length below
/// <see cref="ExactLimit"/> frames and, from there, one of <see cref="PerDoubling"/> classes per power of two (each
/// less than an eighth of its lengths wide). Classes grow with lengths, so a subtree whose largest class is below a
/// request's class holds nothing that fits.
/// </summary>
/// <remarks>
/// Why classes rather than lengths: a carve from the front of a large extent (every first-fit allocation above the
/// holes) or a free merging into it changes its length by a few frames, and with exact lengths every such change
/// walks to the root when that extent holds the subtree maxima (it usually holds them all). Its class changes once in
/// thousands of such calls, so the walk stops where it starts. Placement stays exact: below <see cref="ExactLimit"/>
/// frames a class of at least the request's means a length of at least the request; above it the search goes on past
/// extents of the request's own class that are too short (<c>TryCarve</c>), never past one that fits.
/// </remarks>
internal static class ExtentClass
{
    /// <summary>log2 of <see cref="ExactLimit"/>.</summary>
    public const int ExactShift = 10;

    /// <summary>Lengths below this many frames (4 MiB) are their own class.</summary>
    public const uint ExactLimit = 1u << ExactShift;

    /// <summary>log2 of <see cref="PerDoubling"/>.</summary>
    public const int PerDoublingShift = 3;

    /// <summary>Classes per power of two above <see cref="ExactLimit"/>.</summary>
    public const uint PerDoubling = 1u << PerDoublingShift;

    /// <summary>The class of a length in frames.</summary>
    public static uint Of(uint length)
    {
        if (length < ExactLimit)
            return length;
        int power = ExactShift;
        while (power < 31 && (length >> (power + 1)) != 0)
            power++;
        uint step = (length >> (power - PerDoublingShift)) & (PerDoubling - 1);
        return ExactLimit + ((uint)(power - ExactShift) << PerDoublingShift) + step;
    }
}
