namespace MioOS.Memory.Platform;

/// <summary>The one address every layer measures against: the end of the 32-bit linear space.</summary>
public static class AddressLimits
{
    /// <summary>Bits in a linear (virtual) address under 32-bit paging.</summary>
    public const int LinearBits = 32;

    /// <summary>
    /// 4 GiB: the first address past the 32-bit linear space, so the limit of what the kernel can identity-map
    /// and of every heap address, and the first address of high memory (reached only through PSE-36 4 MiB pages).
    /// </summary>
    public const ulong FourGiB = 1UL << LinearBits;
}
