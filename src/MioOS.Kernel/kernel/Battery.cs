using MioOS.Memory;
using MioOS.Memory.Physical;

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
        if (stage == BringUpStage.Pmm && result.FailedStage == BringUpStage.Pmm && result.Pmm.Status == PmmInitStatus.NoUsableLowMemory)
            RefuseTooLittleMemory(result.Address);
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

    /// <summary>
    /// The smallest machine the kernel runs on, in MiB (found by booting under QEMU, whose BIOS keeps the top 128 KiB
    /// of RAM: at 5 MiB available RAM stops at 0x4e0000, before the initial heap ends at 0x500000).
    /// </summary>
    public const int SmallestMachineMiB = 6;

    /// <summary>
    /// The PMM refused because the kernel image, the initial heap and the PMM's metadata after it do not all lie in
    /// available RAM (<paramref name="end"/> = the first byte that is not): the machine is too small for the kernel,
    /// which is not a failed test. One line on COM1, then the exit status for a machine the kernel cannot run on.
    /// </summary>
    private static void RefuseTooLittleMemory(ulong end)
    {
        KernelLayout layout = Kmain.Memory.Layout;
        Serial.Write("MIOOS MEMORY UNSUPPORTED: available RAM stops at ");
        Serial.WriteHex(end);
        Serial.Write("; the kernel at ");
        Serial.WriteHex(layout.KernelBase);
        Serial.Write(", its heap at ");
        Serial.WriteHex(layout.HeapStart);
        Serial.Write('-');
        Serial.WriteHex(layout.HeapEnd);
        Serial.Write(" and the PMM metadata after it need more (needs ");
        Serial.WriteDec(SmallestMachineMiB);
        Serial.Write(" MiB of RAM or more; QEMU: -m ");
        Serial.WriteDec(SmallestMachineMiB);
        Serial.WriteLine("M or more)");
        Panic.Exit(Panic.ExitUnsupported);
    }

    /// <summary>What looks back over the run: boot data intact after everything the layers did, the harness's
    /// own command-line checks.</summary>
    public static void Finish()
    {
        if (s_reached == BringUpStage.Heap)
            Smp.SmpTests.Run();
        if (s_reached >= BringUpStage.Pmm && BootModules.Recorded)
            BootModules.CheckIntact(ref Kmain.Memory.Pmm, s_reached >= BringUpStage.Vmm);
        CommandLine.RunHarnessChecks();
    }
}
