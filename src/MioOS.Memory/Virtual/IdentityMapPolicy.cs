namespace MioOS.Memory.Virtual;

/// <summary>How <c>IdentityMapRegion</c> picks page sizes.</summary>
public enum IdentityMapPolicy : byte
{
    /// <summary>4 KiB pages only.</summary>
    Small = 0,

    /// <summary>A 4 MiB page for every 4 MiB-aligned stretch that lies wholly inside the range and whose
    /// directory slot is empty (when the CPU has PSE); 4 KiB pages elsewhere.</summary>
    BestFit = 1,
}
