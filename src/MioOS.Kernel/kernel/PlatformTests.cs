using MioOS.Memory.Boot;
using MioOS.Memory.Collections;
using MioOS.Memory.Physical;
using MioOS.Memory.Platform;

namespace MioOS.Kernel;

/// <summary>The tests of the platform the memory subsystem runs on, before it is brought up: the handoff, the
/// runtime, the CPU seam, the memory window and the core's tree on the real (emulated) CPU.</summary>
internal static unsafe class PlatformTests
{
    public static void Run(uint magic, uint info)
    {
        SelfTestLog.Begin("boot.magic");
        if (magic == MultibootParser.Multiboot1Magic)
            Serial.Write("multiboot1 ");
        else
            Serial.Write("multiboot2 ");
        SelfTestLog.Check(info != 0 && info < 0xFFFF0000, "info pointer");

        SelfTestLog.Begin("boot.image-below-heap");
        uint end = Native.ImageEnd();
        Serial.Write("end ");
        Serial.WriteHex(end);
        Serial.Write(' ');
        SelfTestLog.Check(Native.ImageBase() == KernelLayout.DefaultKernelBase && end > KernelLayout.DefaultKernelBase
            && end <= KernelLayout.DefaultKernelBase + KernelLayout.HeapOffset, "image end");

        SelfTestLog.Begin("runtime.static-constructors");
        Serial.WriteDec(Startup.EagerConstructors);
        Serial.Write(" eager ");
        SelfTestLog.Check(StartupProbe.ImageEnd == (Native.ImageEnd() | 1), "a static initialised at run time was not");

        Traps.Install();
        var cpu = new MetalCpu();
        CpuIdentity();
        CpuSeam(ref cpu);
        Atomics();
        LockKeepsInterruptsOff();
        Window();
        Tree();
    }

    private static void CpuIdentity()
    {
        SelfTestLog.Begin("cpu.cpuid");
        uint* r = stackalloc uint[4];
        Native.Cpuid(0, 0, r);
        uint* vendor = stackalloc uint[3];
        vendor[0] = r[1];
        vendor[1] = r[3];
        vendor[2] = r[2];
        byte* v = (byte*)vendor;
        for (int i = 0; i < 12; i++)
            Serial.Write((char)v[i]);
        Serial.Write(" max leaf ");
        Serial.WriteHex(r[0]);
        Serial.Write(' ');
        SelfTestLog.Check(r[0] >= 1 && v[0] != 0, "vendor");
    }

    /// <summary>Goes through the seam exactly as the core does: a generic over the CPU struct.</summary>
    private static void CpuSeam<TCpu>(ref TCpu cpu) where TCpu : struct, ICpu
    {
        SelfTestLog.Begin("cpu.features");
        CpuFeatures f = cpu.Features;
        Serial.Write(f.Has(CpuFeatureFlags.Pse) ? "pse " : "no-pse ");
        Serial.Write(f.Has(CpuFeatureFlags.Pse36) ? "pse36 " : "no-pse36 ");
        Serial.Write(f.Has(CpuFeatureFlags.Pge) ? "pge " : "no-pge ");
        Serial.Write("maxphyaddr ");
        Serial.WriteDec(f.MaxPhysicalAddressBits);
        Serial.Write(' ');
        SelfTestLog.Check(f.Has(CpuFeatureFlags.Pse) && f.MaxPhysicalAddressBits >= 32 && f.MaxPhysicalAddressBits <= 52,
            "features");

        SelfTestLog.Begin("cpu.cr0");
        uint cr0 = cpu.ReadCr0();
        Serial.WriteHex(cr0, 8);
        Serial.Write(' ');
        // PE on (protected mode), PG off (the loader leaves paging off), EM off (the stub enabled SSE).
        SelfTestLog.Check((cr0 & ControlRegisters.Cr0ProtectionEnable) != 0 && (cr0 & ControlRegisters.Cr0Paging) == 0
            && (cr0 & ControlRegisters.Cr0Emulation) == 0, "PE=1 PG=0 EM=0 expected");

        SelfTestLog.Begin("cpu.cr4");
        uint cr4 = cpu.ReadCr4();
        Serial.WriteHex(cr4, 8);
        Serial.Write(' ');
        bool osfxsr = (cr4 & ControlRegisters.Cr4Osfxsr) != 0;
        // Round trip through the seam: set PSE, read it back, restore.
        cpu.WriteCr4(cr4 | ControlRegisters.Cr4PageSizeExtensions);
        bool pseSet = (cpu.ReadCr4() & ControlRegisters.Cr4PageSizeExtensions) != 0;
        cpu.WriteCr4(cr4);
        bool restored = cpu.ReadCr4() == cr4;
        SelfTestLog.Check(osfxsr && pseSet && restored, "OSFXSR and a CR4.PSE round trip");

        SelfTestLog.Begin("cpu.cr3");
        uint cr3 = cpu.ReadCr3();
        cpu.WriteCr3(cr3); // paging is off: loading CR3 only stores the value
        SelfTestLog.Check(cpu.ReadCr3() == cr3, "CR3 round trip");
    }

    private static void Atomics()
    {
        SelfTestLog.Begin("runtime.atomics");
        int* word = stackalloc int[1];
        *word = 0;
        bool ok = System.Threading.Interlocked.CompareExchange(ref *word, 1, 0) == 0 && *word == 1;
        ok &= System.Threading.Interlocked.CompareExchange(ref *word, 2, 0) == 1 && *word == 1;
        ok &= System.Threading.Interlocked.Exchange(ref *word, 5) == 1 && System.Threading.Volatile.Read(ref *word) == 5;
        ok &= System.Threading.Interlocked.Increment(ref *word) == 6 && System.Threading.Interlocked.Decrement(ref *word) == 5;
        SelfTestLog.Check(ok, "lock cmpxchg, xchg, xadd");
    }

    private static void LockKeepsInterruptsOff()
    {
        SelfTestLog.Begin("lock.irq");
        // Every interrupt line masked at both 8259s first, so IF = 1 delivers nothing: this kernel takes no IRQs.
        Native.OutB(0x21, 0xFF);
        Native.OutB(0xA1, 0xFF);
        int* words = stackalloc int[2];
        words[0] = 0;
        words[1] = 0;
        bool ok = LayerLock.IsInstalled;
        Native.RestoreInterrupts(MetalLock.InterruptFlag); // sti
        ok &= InterruptsOn();
        uint outer = LayerLock.Enter(ref words[0], LockRank.Heap);
        ok &= !InterruptsOn() && words[0] == 1 && (outer & MetalLock.InterruptFlag) != 0;
        uint inner = LayerLock.Enter(ref words[1], LockRank.Pmm);
        ok &= !InterruptsOn() && (inner & MetalLock.InterruptFlag) == 0;
        LayerLock.Exit(ref words[1], LockRank.Pmm, inner);
        ok &= !InterruptsOn() && words[1] == 0; // the inner holder found them off: they stay off
        LayerLock.Exit(ref words[0], LockRank.Heap, outer);
        ok &= InterruptsOn() && words[0] == 0;
        Native.SaveInterruptsAndDisable(); // back to how the kernel runs: interrupts off
        ok &= !InterruptsOn();
        SelfTestLog.Check(ok, "IF off while held, restored only as saved (nested), the word taken and released");
    }

    private static bool InterruptsOn() => (Native.ReadEflags() & MetalLock.InterruptFlag) != 0;

    private static void Window()
    {
        SelfTestLog.Begin("window.metal");
        MemoryWindow w = Metal.Window;
        ulong* cell = stackalloc ulong[2];
        ulong address = (uint)cell;
        w.Write(address, 0x1122334455667788UL);
        w.Write(address + 8, 0xA5A5A5A5u);
        bool ok = cell[0] == 0x1122334455667788UL && w.Read<uint>(address + 8) == 0xA5A5A5A5u
            && w.Read<ulong>(address) == 0x1122334455667788UL;
        ok &= w.Contains(0xFFFFF000, 0x1000) && !w.Contains(0xFFFFF000, 0x1001) && !w.Contains(AddressLimits.FourGiB, 1);
        SelfTestLog.Check(ok, "read/write and the 4 GiB limit");
    }

    private struct Node
    {
        public TreeLinks Links;
        public uint Key;
        public uint Size;
    }

    /// <summary>Nodes in a plain buffer; node i is at index i (0 is "no node").</summary>
    private struct BufferStore : ITreeNodeStore
    {
        public Node* Nodes;
        public ref TreeLinks Links(uint node) => ref Nodes[node].Links;
        public uint Key(uint node) => Nodes[node].Key;
        public uint Size(uint node) => Nodes[node].Size;
        public uint Follow(uint link) => link;
    }

    private static uint LinearLowestFit(Node* nodes, uint count, bool* present, uint size)
    {
        uint best = 0;
        for (uint i = 1; i <= count; i++)
        {
            if (present[i] && nodes[i].Size >= size && (best == 0 || nodes[i].Key < nodes[best].Key))
                best = i;
        }
        return best;
    }

    private static void Tree()
    {
        const uint count = 255;
        Node* nodes = stackalloc Node[(int)count + 1];
        bool* present = stackalloc bool[(int)count + 1];
        var store = new BufferStore { Nodes = nodes };
        uint root = 0;
        uint seed = 0x12345678;
        for (uint i = 1; i <= count; i++)
        {
            seed = seed * 1103515245 + 12345;
            nodes[i].Key = i * 7919 % 65521; // distinct: 7919 is invertible mod the prime 65521
            nodes[i].Size = (seed >> 16) & 0x3FF;
            present[i] = true;
            AugmentedTree<BufferStore>.Insert(ref store, ref root, i);
        }

        SelfTestLog.Begin("tree.insert");
        long n = AugmentedTree<BufferStore>.Validate(ref store, root, count + 1);
        Serial.WriteDec((ulong)n);
        Serial.Write(" nodes ");
        SelfTestLog.Check(n == count, "AVL invariants after inserts");

        SelfTestLog.Begin("tree.lowest-fit");
        bool fits = true;
        for (uint size = 0; size <= 1024; size += 37)
            fits &= AugmentedTree<BufferStore>.LowestFit(ref store, root, size) == LinearLowestFit(nodes, count, present, size);
        SelfTestLog.Check(fits, "differs from a linear scan");

        SelfTestLog.Begin("tree.remove");
        for (uint i = 1; i <= count; i += 2)
        {
            AugmentedTree<BufferStore>.Remove(ref store, ref root, i);
            present[i] = false;
        }
        n = AugmentedTree<BufferStore>.Validate(ref store, root, count + 1);
        for (uint size = 0; size <= 1024; size += 41)
            fits &= AugmentedTree<BufferStore>.LowestFit(ref store, root, size) == LinearLowestFit(nodes, count, present, size);
        SelfTestLog.Check(n == count / 2 && fits, "invariants or lowest fit after removals");
    }
}

/// <summary>A static ILC cannot pre-initialise (its value comes from the linker at run time), so its
/// constructor must have been run by <see cref="Startup"/> before kmain.</summary>
internal static class StartupProbe
{
    public static readonly uint ImageEnd = Native.ImageEnd() | 1;
}
