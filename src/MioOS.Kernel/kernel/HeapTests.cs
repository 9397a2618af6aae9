using MioOS.Memory;
using MioOS.Memory.Heap;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Kernel;

/// <summary>The core's kernel heap on the real (emulated) CPU, at base + 1 MiB, growing with identity-mapped
/// PMM frames through the VMM: kmalloc/kcalloc/krealloc/kfree with contents checked, growth past 3 MiB, misuse
/// reported without halting.</summary>
internal static unsafe class HeapTests
{
    public static bool Run(BringUpResult result)
    {
        ref MemorySubsystem<MetalCpu> mm = ref Kmain.Memory;
        ref PhysicalMemoryManager pmm = ref mm.Pmm;
        ref KernelHeap<PmmHeapGrowth<VmmFrameMapper<MetalCpu, PmmPageTableFrames>>> heap = ref mm.Heap;
        SelfTestLog.Begin("heap.init");
        uint heapStart = (uint)mm.Layout.HeapStart;
        Serial.WriteHex(heapStart);
        Serial.Write('+');
        Serial.WriteHex(KernelLayout.InitialHeapSize);
        Serial.Write(' ');
        if (!result.IsOk)
        {
            SelfTestLog.Fail("heap status", (ulong)result.Status);
            return false;
        }
        SelfTestLog.Check(heap.Start == heapStart && heap.CheckIntegrity().Status == HeapStatus.Ok, "create");

        SelfTestLog.Begin("heap.kmalloc-kfree");
        const int n = 64;
        uint* blocks = stackalloc uint[n];
        bool ok = true;
        for (int i = 0; i < n; i++)
        {
            uint size = (uint)(1 + i * 37 % 700);
            blocks[i] = heap.Kmalloc(size);
            ok &= blocks[i] != 0 && blocks[i] >= heapStart;
            for (uint j = 0; j < size && blocks[i] != 0; j++)
                ((byte*)blocks[i])[j] = (byte)(i + j);
        }
        for (int i = 0; i < n && ok; i++)
        {
            uint size = (uint)(1 + i * 37 % 700);
            for (uint j = 0; j < size; j++)
                ok &= ((byte*)blocks[i])[j] == (byte)(i + j);
        }
        for (int i = 0; i < n; i += 2)
            ok &= heap.Kfree(blocks[i]) == HeapStatus.Ok;
        for (int i = 1; i < n; i += 2)
            ok &= heap.Kfree(blocks[i]) == HeapStatus.Ok;
        HeapStats s = heap.Stats();
        ok &= s.UsedBytes == 0 && heap.CheckIntegrity().Status == HeapStatus.Ok;
        SelfTestLog.Check(ok, "contents, or not everything given back");

        SelfTestLog.Begin("heap.kcalloc-krealloc");
        uint c = heap.Kcalloc(100, 40);
        ok = c != 0;
        for (uint j = 0; j < 4000 && ok; j++)
            ok &= ((byte*)c)[j] == 0;
        for (uint j = 0; j < 4000 && ok; j++)
            ((byte*)c)[j] = (byte)(j * 7);
        uint r = heap.Krealloc(c, 20000);
        ok &= r != 0;
        for (uint j = 0; j < 4000 && ok; j++)
            ok &= ((byte*)r)[j] == (byte)(j * 7);
        ok &= heap.Kcalloc(0x10000, 0x10001) == 0; // count * size overflows 32 bits: refused
        ok &= heap.Kfree(r) == HeapStatus.Ok && heap.CheckIntegrity().Status == HeapStatus.Ok;
        SelfTestLog.Check(ok, "zeroed, contents kept, overflow refused");

        SelfTestLog.Begin("heap.growth");
        uint* big = stackalloc uint[6];
        ok = true;
        for (int i = 0; i < 6; i++)
        {
            big[i] = heap.Kmalloc(1u << 20);
            ok &= big[i] != 0;
            if (big[i] != 0)
            {
                ((uint*)big[i])[0] = (uint)i;
                ((uint*)big[i])[(1 << 18) - 1] = (uint)i; // the last word of the MiB: mapped
            }
        }
        s = heap.Stats();
        Serial.WriteDec(s.SizeBytes >> 10);
        Serial.Write(" KiB in ");
        Serial.WriteDec(s.Segments);
        Serial.Write(" segments ");
        ok &= s.SizeBytes > KernelLayout.InitialHeapSize && s.Grows > 0;
        for (int i = 0; i < 6; i++)
            ok &= big[i] == 0 || (((uint*)big[i])[0] == (uint)i && heap.Kfree(big[i]) == HeapStatus.Ok);
        ok &= heap.CheckIntegrity().Status == HeapStatus.Ok && pmm.CheckIntegrity().IsOk;
        SelfTestLog.Check(ok, "past 3 MiB");

        SelfTestLog.Begin("heap.misuse-reported");
        uint d = heap.Kmalloc(64);
        ok = heap.Kfree(d) == HeapStatus.Ok;
        HeapStatus twice = heap.Kfree(d);
        HeapStatus interior = heap.Kfree(heapStart + 0x1234);
        Serial.Write(twice == HeapStatus.DoubleFree ? "double free reported, " : "double free not reported, ");
        Serial.Write(interior != HeapStatus.Ok ? "interior free refused " : "interior free accepted ");
        s = heap.Stats();
        ok &= twice == HeapStatus.DoubleFree && interior != HeapStatus.Ok && s.MisuseCount >= 2;
        ok &= heap.CheckIntegrity().Status == HeapStatus.Ok;
        SelfTestLog.Check(ok, "a misuse was not refused and reported");
        return true;
    }
}
