using MioOS.Memory.Platform;

namespace MioOS.Kernel;

/// <summary>The CPU seam on the metal: each member is one asm helper.</summary>
internal unsafe struct MetalCpu : ICpu
{
    private static delegate*<uint, void> s_remoteInvalidation;

    /// <summary>With several CPUs: <paramref name="queue"/> gets every page invalidated here, to be invalidated on the
    /// other CPUs too (the kernel's TLB shootdown). Installed before the other CPUs start.</summary>
    public static void InstallRemoteInvalidation(delegate*<uint, void> queue) => s_remoteInvalidation = queue;

    public uint ReadCr0() => Native.ReadCr0();
    public void WriteCr0(uint value) => Native.WriteCr0(value);
    public uint ReadCr3() => Native.ReadCr3();
    public void WriteCr3(uint value) => Native.WriteCr3(value);
    public uint ReadCr4() => Native.ReadCr4();
    public void WriteCr4(uint value) => Native.WriteCr4(value);
    public void InvalidatePage(uint linear)
    {
        Native.InvalidatePage(linear);
        delegate*<uint, void> queue = s_remoteInvalidation;
        if (queue != null)
            queue(linear);
    }

    public CpuFeatures Features
    {
        get
        {
            uint* r = stackalloc uint[4];
            Native.Cpuid(0, 0, r);
            uint maxLeaf = r[0];
            CpuFeatureFlags flags = CpuFeatureFlags.None;
            if (maxLeaf >= 1)
            {
                Native.Cpuid(1, 0, r);
                uint edx = r[3];
                if ((edx & (1u << 3)) != 0)
                    flags |= CpuFeatureFlags.Pse;
                if ((edx & (1u << 13)) != 0)
                    flags |= CpuFeatureFlags.Pge;
                if ((edx & (1u << 17)) != 0)
                    flags |= CpuFeatureFlags.Pse36;
            }
            byte maxPhys = 36;
            Native.Cpuid(0x80000000, 0, r);
            if (r[0] >= 0x80000008)
            {
                Native.Cpuid(0x80000008, 0, r);
                maxPhys = (byte)(r[0] & 0xFF);
            }
            return new CpuFeatures(flags, maxPhys);
        }
    }
}
