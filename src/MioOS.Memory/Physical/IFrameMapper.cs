using MioOS.Memory.Platform;

namespace MioOS.Memory.Physical;

/// <summary>
/// How the PMM asks the VMM to identity-map what it hands out when <c>identityMap</c> is true (spec section 1,
/// <c>alloc_frame(num_blocks, identity_map)</c>). A struct implements it, so the call is not virtual.
/// </summary>
public interface IFrameMapper
{
    /// <summary>True when a VMM stands behind this mapper; false for <see cref="NoFrameMapper"/>, which the PMM then
    /// refuses an identity-mapped allocation with (<see cref="PmmStatus.NoMapper"/>).</summary>
    bool IsAttached { get; }

    /// <summary>Identity-maps [start, start + length); false (with nothing left mapped) when it cannot.</summary>
    bool MapIdentity(PhysicalAddress start, ulong length);

    /// <summary>Removes the identity mapping made by <see cref="MapIdentity"/> for [start, start + length).</summary>
    void UnmapIdentity(PhysicalAddress start, ulong length);
}

/// <summary>The mapper used while no VMM is attached: an identity-mapped allocation is then refused.</summary>
public struct NoFrameMapper : IFrameMapper
{
    /// <inheritdoc/>
    public bool IsAttached => false;

    /// <inheritdoc/>
    public bool MapIdentity(PhysicalAddress start, ulong length) => false;

    /// <inheritdoc/>
    public void UnmapIdentity(PhysicalAddress start, ulong length)
    {
    }
}
