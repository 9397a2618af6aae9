namespace MioOS.Memory.Physical;

/// <summary>The two pools of physical memory the PMM keeps apart.</summary>
public enum FrameRegion : byte
{
    /// <summary>From the kernel's physical base up to 4 GiB: identity-mappable, the default.</summary>
    Low = 0,

    /// <summary>At or above 4 GiB: handed out only when asked for (reachable through PSE-36 4 MiB pages).</summary>
    High = 1,
}
