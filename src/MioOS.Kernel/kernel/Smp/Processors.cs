namespace MioOS.Kernel.Smp;

/// <summary>
/// The CPUs the firmware lists and the ones the kernel runs: index 0 is the bootstrap processor, 1 up the application
/// processors in the firmware's order. At most <see cref="MaxCpus"/> run; any further enabled CPU is counted and left
/// in its wait-for-start-up state (no INIT or start-up IPI is ever sent to it).
/// </summary>
internal static unsafe class Processors
{
    /// <summary>The most CPUs the kernel brings up (the BSP included).</summary>
    public const int MaxCpus = 8;

    /// <summary>APIC IDs are 8 bits in xAPIC mode: one table slot per ID maps an ID to its CPU index.</summary>
    private const int ApicIds = 256, NoIndex = 0xFF;

    private struct Table
    {
        public fixed byte ApicId[MaxCpus];
        public fixed byte IndexOfApicId[ApicIds];
        public fixed int Online[MaxCpus];
    }

    private static Table s_table;
    private static int s_listed;
    private static int s_kept;

    /// <summary>Enabled CPUs the firmware lists.</summary>
    public static int Listed => s_listed;

    /// <summary>CPUs the kernel may run (at most <see cref="MaxCpus"/>): the BSP and the APs it will start.</summary>
    public static int Count => s_kept;

    /// <summary>Starts the table with the BSP (the CPU that runs this).</summary>
    public static void Begin(uint bspApicId)
    {
        for (int i = 0; i < ApicIds; i++)
            s_table.IndexOfApicId[i] = NoIndex;
        s_listed = 0;
        s_kept = 0;
        Add(bspApicId);
        s_table.Online[0] = 1;
    }

    /// <summary>Records one enabled CPU the firmware lists (the BSP's own entry is recognised and not added twice).</summary>
    public static void Add(uint apicId)
    {
        if (apicId >= ApicIds)
        {
            s_listed++;
            return;
        }
        if (s_table.IndexOfApicId[apicId] != NoIndex)
            return;
        s_listed++;
        if (s_kept == MaxCpus)
            return;
        s_table.ApicId[s_kept] = (byte)apicId;
        s_table.IndexOfApicId[apicId] = (byte)s_kept;
        s_kept++;
    }

    /// <summary>The APIC ID of CPU <paramref name="index"/>.</summary>
    public static uint ApicId(int index) => s_table.ApicId[index];

    /// <summary>The index of the CPU that runs this (0 before the local APIC is mapped: only the BSP runs then).</summary>
    public static int Current
    {
        get
        {
            if (!LocalApic.IsMapped)
                return 0;
            int index = s_table.IndexOfApicId[LocalApic.Id];
            return index == NoIndex ? 0 : index;
        }
    }

    /// <summary>True when CPU <paramref name="index"/> runs kernel code and answers shootdown IPIs.</summary>
    public static bool IsOnline(int index) => System.Threading.Volatile.Read(ref s_table.Online[index]) != 0;

    /// <summary>Marks CPU <paramref name="index"/> as running (its own last step of start-up).</summary>
    public static void MarkOnline(int index) => System.Threading.Volatile.Write(ref s_table.Online[index], 1);

    /// <summary>How many CPUs are online.</summary>
    public static int OnlineCount
    {
        get
        {
            int n = 0;
            for (int i = 0; i < s_kept; i++)
                n += IsOnline(i) ? 1 : 0;
            return n;
        }
    }
}
