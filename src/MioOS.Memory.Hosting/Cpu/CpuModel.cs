using MioOS.Memory.Platform;

namespace MioOS.Memory.Hosting.Cpu;

/// <summary>The CPUID facts of a simulated CPU: which paging features it reports and its MAXPHYADDR.</summary>
/// <param name="Name">A short name for reports.</param>
/// <param name="Flags">PSE, PSE-36, PGE.</param>
/// <param name="MaxPhysicalAddressBits">MAXPHYADDR (CPUID 0x80000008; 36 when the leaf is absent).</param>
public readonly record struct CpuModel(string Name, CpuFeatureFlags Flags, byte MaxPhysicalAddressBits)
{
    /// <summary>QEMU's default <c>-cpu qemu32</c>: PSE and PGE, no PSE-36, no leaf 0x80000008 (so 36).</summary>
    public static CpuModel Qemu32 => new("qemu32", CpuFeatureFlags.Pse | CpuFeatureFlags.Pge, 36);

    /// <summary>QEMU's <c>-cpu max</c> as seen by a 36-bit guest: PSE, PSE-36, PGE, MAXPHYADDR 36.</summary>
    public static CpuModel Max36 => new("max-36", CpuFeatureFlags.Pse | CpuFeatureFlags.Pse36 | CpuFeatureFlags.Pge, 36);

    /// <summary>A CPU with PSE-36 and MAXPHYADDR 40 (the widest PSE-36 reaches).</summary>
    public static CpuModel Max40 => new("max-40", CpuFeatureFlags.Pse | CpuFeatureFlags.Pse36 | CpuFeatureFlags.Pge, 40);

    /// <summary>A CPU without PSE (and so without 4 MiB pages or PSE-36) and without PGE, like a 486.</summary>
    public static CpuModel NoPse => new("486", CpuFeatureFlags.None, 32);

    /// <summary>The facts as the core sees them.</summary>
    public CpuFeatures Features => new(Flags, MaxPhysicalAddressBits);

    /// <summary>This model with <paramref name="flag"/> switched on or off.</summary>
    public CpuModel With(CpuFeatureFlags flag, bool on) =>
        this with { Flags = on ? Flags | flag : Flags & ~flag };
}
