using MioOS.Memory.Boot;

namespace MioOS.Kernel.Smp;

/// <summary>
/// Where the firmware's CPU tables start, found before paging is on (page 0, which holds the EBDA's segment, is never
/// mapped afterwards): a copy of the ACPI RSDP (from GRUB's multiboot2 tags, else from a scan of the EBDA and the BIOS
/// area) and the physical address of the MP floating pointer's configuration table. The tables themselves are read
/// later through the VMM (<see cref="CpuDiscovery"/>).
/// </summary>
internal static unsafe class FirmwarePointers
{
    /// <summary>An ACPI 2.0 RSDP is 36 bytes (ACPI 6.5, 5.2.5.3); 1.0 stops at 20.</summary>
    public const int RsdpLength = 36, RsdpV1Length = 20;

    private const ulong RsdpSignature = 0x2052545020445352; // "RSD PTR "
    private const uint MpSignature = 0x5F504D5F; // "_MP_"
    private const uint Mb2TagAcpiOld = 14, Mb2TagAcpiNew = 15;

    private struct RsdpCopy
    {
        public fixed byte Bytes[RsdpLength];
    }

    private static RsdpCopy s_rsdp;
    private static bool s_haveRsdp;
    private static uint s_mpConfig;

    private const int FromMb2New = 1, FromMb2Old = 2, FromBiosScan = 3;
    private static int s_rsdpSource;

    /// <summary>Where the RSDP was found: "mb2-acpi-new", "mb2-acpi-old", "bios-scan" or "none".</summary>
    public static string RsdpSource =>
        s_rsdpSource == FromMb2New ? "mb2-acpi-new" : s_rsdpSource == FromMb2Old ? "mb2-acpi-old" : s_rsdpSource == FromBiosScan ? "bios-scan" : "none";

    public static bool HaveRsdp => s_haveRsdp;

    /// <summary>RSDP revision (0 for ACPI 1.0, 2 and up with an XSDT).</summary>
    public static byte RsdpRevision => s_rsdp.Bytes[15];

    /// <summary>The RSDT's physical address.</summary>
    public static uint RsdtAddress => Read32(16);

    /// <summary>The XSDT's physical address (0 for ACPI 1.0).</summary>
    public static ulong XsdtAddress => RsdpRevision >= 2 ? Read32(24) | ((ulong)Read32(28) << 32) : 0;

    /// <summary>The MP configuration table's physical address (0: no MP table, or a default configuration).</summary>
    public static uint MpConfigAddress => s_mpConfig;

    private static uint Read32(int offset)
    {
        fixed (byte* b = s_rsdp.Bytes)
            return *(uint*)(b + offset);
    }

    /// <summary>Looks for both pointers. Paging must still be off: reads physical memory directly.</summary>
    public static void Find(uint magic, uint info)
    {
        if (magic == MultibootParser.Multiboot2Magic)
            FindInMultiboot2(info);
        if (!s_haveRsdp)
        {
            byte* found = ScanBiosAreas(RsdpSignature, 0);
            if (found != null && Checksum(found, RsdpV1Length) == 0)
                Keep(found, found[15] >= 2 && Checksum(found, RsdpLength) == 0 ? RsdpLength : RsdpV1Length, FromBiosScan);
        }
        byte* mp = ScanBiosAreas(MpSignature, 1);
        // MP spec 1.4, 4.1: length in 16-byte units at 8, checksum over it; feature byte 1 (at 11) non-zero means a
        // default configuration with no table.
        if (mp != null && Checksum(mp, mp[8] * 16) == 0 && mp[11] == 0)
            s_mpConfig = *(uint*)(mp + 4);
    }

    private static void FindInMultiboot2(uint info)
    {
        uint total = *(uint*)info;
        for (uint at = info + 8; at + 8 <= info + total;)
        {
            uint type = *(uint*)at, size = *(uint*)(at + 4);
            if (type == 0 || size < 8)
                break;
            // GRUB copies the RSDP into the tag after its 8-byte header (multiboot2 spec, 3.6.15 and 3.6.16); the
            // newer one wins.
            if (type == Mb2TagAcpiNew && size >= 8 + RsdpLength)
                Keep((byte*)(at + 8), RsdpLength, FromMb2New);
            else if (type == Mb2TagAcpiOld && size >= 8 + RsdpV1Length && s_rsdpSource == 0)
                Keep((byte*)(at + 8), RsdpV1Length, FromMb2Old);
            at += (size + 7) & ~7u;
        }
    }

    private static void Keep(byte* rsdp, int length, int source)
    {
        fixed (byte* b = s_rsdp.Bytes)
        {
            for (int i = 0; i < RsdpLength; i++)
                b[i] = i < length ? rsdp[i] : (byte)0;
            if (length < RsdpLength)
                b[15] = 0; // no XSDT fields to trust
        }
        s_haveRsdp = true;
        s_rsdpSource = source;
    }

    /// <summary>
    /// The 16-byte-aligned signature in the first KiB of the EBDA (its segment at 0x40E), then (for the MP table,
    /// <paramref name="mp"/> = 1) the last KiB of base memory (its size in KiB at 0x413), then the BIOS ROM area:
    /// 0xE0000-0xFFFFF for the RSDP (ACPI 6.5, 5.2.5.1), 0xF0000-0xFFFFF for the MP table (MP spec 1.4, 4).
    /// </summary>
    private static byte* ScanBiosAreas(ulong signature, int mp)
    {
        uint ebda = (uint)*(ushort*)0x40E << 4;
        byte* found = ebda >= 0x80000 && ebda < 0xA0000 ? Scan(ebda, ebda + 1024, signature, mp) : null;
        if (found == null && mp != 0)
        {
            uint baseTop = (uint)*(ushort*)0x413 * 1024;
            if (baseTop >= 1024 && baseTop <= 0xA0000)
                found = Scan(baseTop - 1024, baseTop, signature, mp);
        }
        return found != null ? found : Scan(mp != 0 ? 0xF0000u : 0xE0000u, 0x100000, signature, mp);
    }

    private static byte* Scan(uint start, uint end, ulong signature, int mp)
    {
        for (uint at = start; at + 16 <= end; at += 16)
        {
            if (mp != 0 ? *(uint*)at == (uint)signature : *(ulong*)at == signature)
                return (byte*)at;
        }
        return null;
    }

    /// <summary>The byte sum of [p, p + length), which is 0 for a valid ACPI or MP structure.</summary>
    public static byte Checksum(byte* p, int length)
    {
        byte sum = 0;
        for (int i = 0; i < length; i++)
            sum += p[i];
        return sum;
    }
}
