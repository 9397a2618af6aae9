using MioOS.Memory.Platform;

namespace MioOS.Kernel;

/// <summary>The seam's metal implementations.</summary>
internal static unsafe class Metal
{
    /// <summary>Identity window over the 32-bit physical space: base 0, limit 4 GiB. An access it cannot reach panics.</summary>
    public static MemoryWindow Window => new MemoryWindow((byte*)0, AddressLimits.FourGiB, &Panic.WindowViolation, 0);
}
