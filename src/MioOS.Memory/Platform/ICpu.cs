namespace MioOS.Memory.Platform;

/// <summary>
/// The CPU half of the hardware seam: control registers, TLB invalidation and the CPUID facts paging needs.
/// Implemented by a struct (so the compiler specialises every generic user): asm helpers on the metal, the
/// simulated CPU when hosted.
/// </summary>
public interface ICpu
{
    /// <summary>CR0 (bit 0 PE, bit 16 WP, bit 31 PG).</summary>
    uint ReadCr0();

    /// <summary>Loads CR0.</summary>
    void WriteCr0(uint value);

    /// <summary>CR3: the physical address of the page directory (bits 31:12), PWT and PCD.</summary>
    uint ReadCr3();

    /// <summary>Loads CR3, which flushes every non-global TLB entry.</summary>
    void WriteCr3(uint value);

    /// <summary>CR4 (bit 4 PSE, bit 7 PGE, bit 9 OSFXSR).</summary>
    uint ReadCr4();

    /// <summary>Loads CR4.</summary>
    void WriteCr4(uint value);

    /// <summary><c>invlpg</c>: drops the TLB entries for the page containing <paramref name="linear"/>.</summary>
    void InvalidatePage(uint linear);

    /// <summary>The paging-related CPUID facts.</summary>
    CpuFeatures Features { get; }
}

/// <summary>CPUID feature bits that decide what the VMM may use.</summary>
[System.Flags]
public enum CpuFeatureFlags : uint
{
    /// <summary>None of the features below.</summary>
    None = 0,

    /// <summary>CPUID.1:EDX.PSE[bit 3]: 4 MiB pages with CR4.PSE.</summary>
    Pse = 1u << 0,

    /// <summary>CPUID.1:EDX.PSE-36[bit 17]: 4 MiB pages can address physical memory above 4 GiB.</summary>
    Pse36 = 1u << 1,

    /// <summary>CPUID.1:EDX.PGE[bit 13]: global pages with CR4.PGE.</summary>
    Pge = 1u << 2,
}

/// <summary>The CPU facts the VMM needs: feature flags and MAXPHYADDR.</summary>
public readonly struct CpuFeatures
{
    /// <summary>The feature flags.</summary>
    public readonly CpuFeatureFlags Flags;

    /// <summary>MAXPHYADDR from CPUID 0x80000008 (36 when that leaf is absent).</summary>
    public readonly byte MaxPhysicalAddressBits;

    /// <summary>Creates the facts.</summary>
    public CpuFeatures(CpuFeatureFlags flags, byte maxPhysicalAddressBits)
    {
        Flags = flags;
        MaxPhysicalAddressBits = maxPhysicalAddressBits;
    }

    /// <summary>True when every flag in <paramref name="flags"/> is present.</summary>
    public bool Has(CpuFeatureFlags flags) => (Flags & flags) == flags;
}
