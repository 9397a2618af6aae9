namespace MioOS.Memory.Boot;

/// <summary>
/// The type of a memory-map range, as numbered by e820 and both multiboot protocols. The sanitiser reports
/// any other raw number as <see cref="Reserved"/> after overlaps have been resolved on the raw numbers.
/// </summary>
public enum MemoryType : uint
{
    /// <summary>Type 1: RAM the OS may use.</summary>
    Available = 1,

    /// <summary>Type 2 (and every unknown type): not to be used.</summary>
    Reserved = 2,

    /// <summary>Type 3: ACPI tables; reusable once they have been read.</summary>
    AcpiReclaimable = 3,

    /// <summary>Type 4: ACPI non-volatile storage, to be preserved across sleep.</summary>
    AcpiNvs = 4,

    /// <summary>Type 5: defective RAM.</summary>
    BadRam = 5,
}
