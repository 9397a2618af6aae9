namespace MioOS.Kernel.Smp;

/// <summary>
/// Reads the CPUs and the local APIC's address from the firmware's tables, through <see cref="DeviceWindow"/>: the
/// ACPI MADT (ACPI 6.5, 5.2.12) found from the RSDP, else the MP configuration table (MP spec 1.4, 4.2-4.3.1).
/// </summary>
internal static unsafe class CpuDiscovery
{
    /// <summary>Where the local APIC is when no table says (SDM vol. 3, 10.4.1).</summary>
    public const uint DefaultApicBase = 0xFEE00000;

    private const uint SdtHeaderLength = 36;
    private const uint MadtSignature = 0x43495041; // "APIC"
    private const uint PcmpSignature = 0x504D4350; // "PCMP"

    /// <summary>MADT entry types: processor local APIC (5.2.12.2) and local APIC address override (5.2.12.8).</summary>
    private const byte MadtLocalApic = 0, MadtApicOverride = 5;

    /// <summary>MADT local APIC flags: enabled (5.2.12.2, table 5.23).</summary>
    private const uint MadtEnabled = 1;

    /// <summary>The local APIC's physical address.</summary>
    public static ulong ApicBase { get; private set; } = DefaultApicBase;

    private static int s_source;

    /// <summary>What the CPU list came from: "acpi-madt", "mp-table" or "none".</summary>
    public static string Source => s_source == 1 ? "acpi-madt" : s_source == 2 ? "mp-table" : "none";

    /// <summary>
    /// Lists the enabled CPUs into <see cref="Processors"/> (after <see cref="Processors.Begin"/>) and keeps the APIC's
    /// address. Returns false when neither table could be read (the BSP alone then runs).
    /// </summary>
    public static bool Run()
    {
        if (FirmwarePointers.HaveRsdp && ReadMadt())
        {
            s_source = 1;
            return true;
        }
        if (FirmwarePointers.MpConfigAddress != 0 && ReadMpTable(FirmwarePointers.MpConfigAddress))
        {
            s_source = 2;
            return true;
        }
        return false;
    }

    private static bool ReadMadt()
    {
        // The XSDT's 64-bit entries when there is one the window can reach, else the RSDT's 32-bit ones (5.2.7, 5.2.8).
        ulong xsdt = FirmwarePointers.XsdtAddress;
        bool wide = xsdt != 0 && xsdt < 0x100000000UL;
        ulong root = wide ? xsdt : FirmwarePointers.RsdtAddress;
        byte* table = MapSdt(root, wide ? 0x54445358u : 0x54445352u); // "XSDT" / "RSDT"
        if (table == null)
            return false;
        uint entrySize = wide ? 8u : 4u;
        uint entries = (*(uint*)(table + 4) - SdtHeaderLength) / entrySize;
        for (uint i = 0; i < entries; i++)
        {
            table = MapSdt(root, 0);
            if (table == null)
                return false;
            byte* entry = table + SdtHeaderLength + i * entrySize;
            ulong address = wide ? *(ulong*)entry : *(uint*)entry;
            if (address >= 0x100000000UL)
                continue;
            byte* madt = MapSdt(address, MadtSignature);
            if (madt != null)
            {
                ParseMadt(madt);
                DeviceWindow.UnmapTable();
                return true;
            }
        }
        DeviceWindow.UnmapTable();
        return false;
    }

    /// <summary>Maps the system description table at <paramref name="physical"/> whole and checks its checksum and
    /// (unless 0) its signature; null otherwise.</summary>
    private static byte* MapSdt(ulong physical, uint signature)
    {
        byte* header = DeviceWindow.MapTable(physical, SdtHeaderLength);
        if (header == null || (signature != 0 && *(uint*)header != signature))
            return null;
        uint length = *(uint*)(header + 4);
        if (length < SdtHeaderLength)
            return null;
        byte* table = DeviceWindow.MapTable(physical, length);
        return table != null && FirmwarePointers.Checksum(table, (int)length) == 0 ? table : null;
    }

    private static void ParseMadt(byte* madt)
    {
        uint length = *(uint*)(madt + 4);
        ApicBase = *(uint*)(madt + 36);
        for (uint at = 44; at + 2 <= length;)
        {
            byte type = madt[at], size = madt[at + 1];
            if (size < 2 || at + size > length)
                break;
            if (type == MadtLocalApic && size >= 8)
            {
                uint flags = *(uint*)(madt + at + 4);
                if ((flags & MadtEnabled) != 0) // online-capable but not enabled: for hot-plug, not started
                    Processors.Add(madt[at + 3]);
            }
            else if (type == MadtApicOverride && size >= 12)
            {
                ApicBase = *(ulong*)(madt + at + 4);
            }
            at += size;
        }
    }

    private static bool ReadMpTable(uint physical)
    {
        byte* header = DeviceWindow.MapTable(physical, 44);
        if (header == null || *(uint*)header != PcmpSignature)
            return false;
        uint length = *(ushort*)(header + 4);
        byte* table = DeviceWindow.MapTable(physical, length);
        if (table == null || FirmwarePointers.Checksum(table, (int)length) != 0)
            return false;
        ApicBase = *(uint*)(table + 36);
        uint count = *(ushort*)(table + 34);
        uint at = 44;
        for (uint i = 0; i < count && at < length; i++)
        {
            byte type = table[at];
            if (type == 0)
            {
                // Processor entry (4.3.1): APIC ID at 1, flags at 3 (bit 0 enabled); 20 bytes.
                if ((table[at + 3] & 1) != 0)
                    Processors.Add(table[at + 1]);
                at += 20;
            }
            else
            {
                at += 8; // bus, I/O APIC, interrupt assignments: 8 bytes each
            }
        }
        DeviceWindow.UnmapTable();
        return true;
    }
}
