using MioOS.Memory;

namespace MioOS.Kernel;

/// <summary>
/// The self-test battery's order over the memory layers: after each bring-up stage, that layer's tests; at the
/// end, the checks that look back over the whole run. The platform's own tests (CPU, runtime, tree) run before
/// the bring-up (<see cref="PlatformTests"/>).
/// </summary>
internal static class Battery
{
    private static BringUpStage s_reached;

    /// <summary>
    /// Tests the layer <paramref name="stage"/> brought up (a failed stage fails its first test and names the
    /// status). Returns false when the bring-up must stop there.
    /// </summary>
    public static bool AfterStage(BringUpStage stage, BringUpResult result, BringUpBuffers buffers)
    {
        bool up = stage switch
        {
            BringUpStage.BootInfo => BootTests.AfterBootInfo(result, buffers),
            BringUpStage.MemoryMap => BootTests.AfterMemoryMap(result, buffers),
            BringUpStage.Pmm => PmmTests.Run(result),
            BringUpStage.Vmm => VmmTests.Run(result),
            _ => HeapTests.Run(result),
        };
        if (up)
            s_reached = stage;
        return up;
    }

    /// <summary>What looks back over the run: boot data intact after everything the layers did, the harness's
    /// own command-line checks.</summary>
    public static void Finish()
    {
        if (s_reached >= BringUpStage.Pmm && BootModules.Recorded)
            BootModules.CheckIntact(ref Kmain.Memory.Pmm, s_reached >= BringUpStage.Vmm);
        CommandLine.RunHarnessChecks();
    }
}
