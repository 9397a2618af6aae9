using MioOS.Memory;
using MioOS.Memory.Heap;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;
using MioOS.Memory.Virtual;

namespace MioOS.Kernel;

/// <summary>The core's kernel heap on the real (emulated) CPU, at base + 1 MiB, growing with identity-mapped
/// PMM frames through the VMM: kmalloc/kcalloc/krealloc/kfree with contents checked, growth past 3 MiB as far as
/// the machine's free memory allows, misuse reported without halting.</summary>
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
        // Up to 6 MiB in 1 MiB blocks: the initial 3 MiB holds two, the rest needs growth, as far as the machine
        // allows. Each grown segment is one run of contiguous free low frames (1 MiB and the block's header page),
        // identity-mapped (a page table or two): a refusal is right only when no such run is left.
        const int bigBlocks = 6;
        const uint segmentFrames = (1u << 20) / Frames.Size + 1 + 2;
        uint largestBefore = LargestFreeLowRun(ref pmm);
        uint* big = stackalloc uint[bigBlocks];
        int allocated = 0;
        ok = true;
        for (int i = 0; i < bigBlocks; i++)
        {
            big[i] = heap.Kmalloc(1u << 20);
            if (big[i] == 0)
                break;
            allocated++;
            ((uint*)big[i])[0] = (uint)i;
            ((uint*)big[i])[(1 << 18) - 1] = (uint)i; // the last word of the MiB: mapped
        }
        uint largestAfter = LargestFreeLowRun(ref pmm);
        s = heap.Stats();
        Serial.WriteDec(s.SizeBytes >> 10);
        Serial.Write(" KiB in ");
        Serial.WriteDec(s.Segments);
        Serial.Write(" segments, ");
        Serial.WriteDec((ulong)allocated);
        Serial.Write('/');
        Serial.WriteDec(bigBlocks);
        Serial.Write(" MiB, largest free run ");
        Serial.WriteDec((ulong)largestBefore * Frames.Size >> 10);
        Serial.Write(" KiB before");
        if (allocated < bigBlocks)
        {
            Serial.Write(", ");
            Serial.WriteDec((ulong)largestAfter * Frames.Size >> 10);
            Serial.Write(" KiB at the refusal");
        }
        Serial.Write(' ');
        ok &= allocated >= 2; // the initial heap holds two
        ok &= allocated == bigBlocks || largestAfter < segmentFrames; // refused only when the PMM has no run to give
        ok &= allocated <= 2 || (s.SizeBytes > KernelLayout.InitialHeapSize && s.Grows > 0);
        ok &= largestBefore < segmentFrames || s.Grows > 0; // a machine with room grows past 3 MiB
        for (int i = 0; i < allocated; i++)
            ok &= ((uint*)big[i])[0] == (uint)i && ((uint*)big[i])[(1 << 18) - 1] == (uint)i && heap.Kfree(big[i]) == HeapStatus.Ok;
        ok &= heap.CheckIntegrity().Status == HeapStatus.Ok && pmm.CheckIntegrity().IsOk;
        SelfTestLog.Check(ok, largestBefore < segmentFrames ? "within the initial 3 MiB" : "past 3 MiB, as far as free memory allows");

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

    /// <summary>The longest run of free low frames the PMM has.</summary>
    private static uint LargestFreeLowRun(ref PhysicalMemoryManager pmm)
    {
        uint largest = 0;
        var cursor = pmm.FreeExtents(FrameRegion.Low);
        while (cursor.Next(out PhysicalAddress _, out uint frames))
            largest = frames > largest ? frames : largest;
        return largest;
    }
}
