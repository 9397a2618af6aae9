using MioOS.Memory.Platform;

namespace MioOS.Memory.Physical;

/// <summary>
/// How the PMM asks the VMM to identity-map what it hands out when <c>identityMap</c> is true (spec section 1,
/// <c>alloc_frame(num_blocks, identity_map)</c>). A struct implements it, so the call is not virtual.
/// </summary>
public interface IFrameMapper
{
    /// <summary>Identity-maps [start, start + length); false (with nothing left mapped) when it cannot.</summary>
    bool MapIdentity(PhysicalAddress start, ulong length);

    /// <summary>Removes the identity mapping made by <see cref="MapIdentity"/> for [start, start + length).</summary>
    void UnmapIdentity(PhysicalAddress start, ulong length);
}

/// <summary>The mapper used while no VMM is attached: the <c>identityMap</c> flag then has no effect.</summary>
public struct NoFrameMapper : IFrameMapper
{
    /// <inheritdoc/>
    public bool MapIdentity(PhysicalAddress start, ulong length) => true;

    /// <inheritdoc/>
    public void UnmapIdentity(PhysicalAddress start, ulong length)
    {
    }
}
