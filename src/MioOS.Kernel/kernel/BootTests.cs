using MioOS.Memory;
using MioOS.Memory.Boot;

namespace MioOS.Kernel;

/// <summary>The boot stages on the real (emulated) machine: the loader's boot info read by the core's parser (the
/// boot data inventoried and checksummed before anything writes memory), then the map it gave, sanitised.</summary>
internal static class BootTests
{
    public static bool AfterBootInfo(BringUpResult result, BringUpBuffers buffers)
    {
        SelfTestLog.Begin("boot.parse");
        if (!result.IsOk)
        {
            SelfTestLog.Fail("parser status", (ulong)result.Status);
            return false;
        }
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        BootInfo bi = mm.BootInfo;
        Serial.Write(bi.Protocol == BootProtocol.Multiboot1 ? "mb1 " : "mb2 ");
        Serial.WriteDec((ulong)bi.MapEntryCount);
        Serial.Write(" entries, ");
        Serial.WriteDec((ulong)bi.ModuleCount);
        Serial.Write(" modules, ");
        Serial.WriteDec((ulong)bi.RegionCount);
        Serial.Write(" boot regions ");
        bool protocolMatches = mm.MultibootMagic == MultibootParser.Multiboot1Magic ? bi.Protocol == BootProtocol.Multiboot1 : bi.Protocol == BootProtocol.Multiboot2;
        SelfTestLog.Check(protocolMatches && bi.MapEntryCount > 0 && !bi.MapFromBasicMemInfo, "protocol or memory map");
        CommandLine.Set(bi.CommandLine, bi.CommandLineLength);
        CommandLine.Print();
        BootModules.Inventory(bi, buffers.Modules.Slice(0, bi.ModuleCount), buffers.Regions.Slice(0, bi.RegionCount));
        return true;
    }

    public static bool AfterMemoryMap(BringUpResult result, BringUpBuffers buffers)
    {
        SelfTestLog.Begin("boot.sanitize");
        if (!result.IsOk)
        {
            SelfTestLog.Fail("sanitizer status", (ulong)result.Status);
            return false;
        }
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        int count = mm.Sanitize.Count;
        FirmwareFigures firmware = mm.Firmware;
        Serial.WriteDec((ulong)count);
        Serial.Write(" ranges, available ");
        Serial.WriteDec(firmware.UsableBytesBelow4G >> 20);
        Serial.Write(" MiB low + ");
        Serial.WriteDec(firmware.UsableBytesAbove4G >> 20);
        Serial.Write(" MiB high ");
        SelfTestLog.Check(count > 0 && firmware.UsableFramesBelow4G > 0, "no usable low memory");
        for (int i = 0; i < count; i++)
        {
            MemoryMapEntry e = buffers.Map[i];
            Serial.Write("  map ");
            Serial.WriteHex(e.Base, 9);
            Serial.Write("-");
            Serial.WriteHex(e.Base + e.Length, 9);
            Serial.Write(' ');
            Serial.WriteLine(ReportNames.Of(e.Kind));
        }
        return true;
    }
}
