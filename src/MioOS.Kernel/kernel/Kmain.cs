using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MioOS.Memory;
using MioOS.Memory.Boot;

namespace MioOS.Kernel;

/// <summary>
/// Where the entry stub hands over: multiboot magic and the physical address of the info block. Brings the
/// memory subsystem up through the core's one bring-up, a stage at a time, and runs the self-test battery on
/// each layer as soon as it is up.
/// </summary>
internal static unsafe class Kmain
{
    /// <summary>Capacities of the bring-up's buffers, on this stack for the whole run.</summary>
    private const int RawMapCapacity = 128, MapCapacity = 2 * RawMapCapacity, ModuleCapacity = 16, RegionCapacity = 64;

    private static MemorySubsystem<MetalCpu> s_memory;

    /// <summary>The kernel's memory subsystem (the page-fault handler reaches it here, not through a test).</summary>
    public static ref MemorySubsystem<MetalCpu> Memory => ref s_memory;

    [UnmanagedCallersOnly(EntryPoint = "kmain", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void Main(uint magic, uint info)
    {
        bool started = Startup.RunEagerConstructors();
        Serial.Init();
        Serial.WriteLine();
        Serial.WriteLine("MioOS.Memory kernel (i386)");
        Serial.Write("boot: magic ");
        Serial.WriteHex(magic, 8);
        Serial.Write(" info ");
        Serial.WriteHex(info, 8);
        Serial.Write(" image ");
        Serial.WriteHex(Native.ImageBase(), 8);
        Serial.Write("-");
        Serial.WriteHex(Native.ImageEnd(), 8);
        Serial.WriteLine();
        if (!started)
            Panic.Halt("the image has no ReadyToRun header this startup code understands");
        if (magic != MultibootParser.Multiboot1Magic && magic != MultibootParser.Multiboot2Magic)
            Panic.Halt("not loaded by a multiboot loader: magic", magic);

        MetalLock.Install();
        PlatformTests.Run(magic, info);
        Smp.FirmwarePointers.Find(magic, info); // paging is still off: page 0 (the EBDA's segment) is readable

        Span<MemoryMapEntry> raw = stackalloc MemoryMapEntry[RawMapCapacity];
        Span<MemoryMapEntry> map = stackalloc MemoryMapEntry[MapCapacity];
        Span<BootModule> modules = stackalloc BootModule[ModuleCapacity];
        Span<ReservedRange> regions = stackalloc ReservedRange[RegionCapacity];
        var buffers = new BringUpBuffers(raw, map, modules, regions);
        s_memory = MemorySubsystem<MetalCpu>.ForHandoff(Metal.Window, new MetalCpu(), magic, info, Native.ImageBase(), Native.ImageEnd());
        for (BringUpStage stage = BringUpStage.BootInfo; stage <= BringUpStage.Heap; stage++)
        {
            if (!Battery.AfterStage(stage, s_memory.BringUp(stage, buffers), buffers))
                break;
        }
        Battery.Finish();
        SelfTestLog.Finish();
    }
}
