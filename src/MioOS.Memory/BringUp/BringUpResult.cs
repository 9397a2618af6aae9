using MioOS.Memory.Boot;
using MioOS.Memory.Heap;
using MioOS.Memory.Physical;
using MioOS.Memory.Virtual;

namespace MioOS.Memory;

/// <summary>
/// What a bring-up returned: <see cref="BringUpStage.None"/> as the failed stage when every stage asked for came
/// up, else the stage that refused, its own status (a <see cref="BootInfoStatus"/>, <see cref="SanitizeStatus"/>,
/// <see cref="PmmInitStatus"/>, <see cref="VmmStatus"/> or <see cref="HeapStatus"/>, by stage) and the address
/// and value that stage reported with it (0 where it has none).
/// </summary>
public readonly struct BringUpResult
{
    /// <summary>The stage that refused, or <see cref="BringUpStage.None"/>.</summary>
    public readonly BringUpStage FailedStage;

    /// <summary>The failed stage's status, as the number of its own status enum (0 when nothing failed).</summary>
    public readonly int Status;

    /// <summary>The address the stage named with its status (where the fault is).</summary>
    public readonly ulong Address;

    /// <summary>A further value the stage named (e.g. the EAX of an unknown magic, a size).</summary>
    public readonly ulong Value;

    /// <summary>Creates a result.</summary>
    public BringUpResult(BringUpStage failedStage, int status, ulong address, ulong value)
    {
        FailedStage = failedStage;
        Status = status;
        Address = address;
        Value = value;
    }

    /// <summary>Every stage asked for came up.</summary>
    public bool IsOk => FailedStage == BringUpStage.None;

    /// <summary>The boot-info stage's result (meaningful when it failed).</summary>
    public BootInfoResult BootInfo => new((BootInfoStatus)Status, Address, Value);

    /// <summary>The PMM stage's result (meaningful when it failed).</summary>
    public PmmInitResult Pmm => new((PmmInitStatus)Status, Address);

    /// <summary>Success.</summary>
    public static BringUpResult Ok => default;
}
