// The atomics the core's locks use (the heap's spin lock). One CPU and no preemption in this kernel, but the
// operations are the real locked instructions (boot/entry.asm), so the code means on the metal what it means hosted.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace System.Threading
{
    public static unsafe class Interlocked
    {
        [DllImport("*", EntryPoint = "mio_cmpxchg32", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
        private static extern int CompareExchange32(int* location, int value, int comparand);

        [DllImport("*", EntryPoint = "mio_xchg32", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
        private static extern int Exchange32(int* location, int value);

        [DllImport("*", EntryPoint = "mio_xadd32", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
        private static extern int ExchangeAdd32(int* location, int value);

        public static int CompareExchange(ref int location1, int value, int comparand) =>
            CompareExchange32((int*)Unsafe.AsPointer(ref location1), value, comparand);

        public static uint CompareExchange(ref uint location1, uint value, uint comparand) =>
            (uint)CompareExchange32((int*)Unsafe.AsPointer(ref location1), (int)value, (int)comparand);

        public static int Exchange(ref int location1, int value) =>
            Exchange32((int*)Unsafe.AsPointer(ref location1), value);

        public static uint Exchange(ref uint location1, uint value) =>
            (uint)Exchange32((int*)Unsafe.AsPointer(ref location1), (int)value);

        public static int Add(ref int location1, int value) =>
            ExchangeAdd32((int*)Unsafe.AsPointer(ref location1), value) + value;

        public static int Increment(ref int location) => Add(ref location, 1);

        public static int Decrement(ref int location) => Add(ref location, -1);
    }

    public static unsafe class Volatile
    {
        // Not inlined: a call is a compiler barrier, so a spin on Read re-reads memory every time.
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Read(ref int location) => *(int*)Unsafe.AsPointer(ref location);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static uint Read(ref uint location) => *(uint*)Unsafe.AsPointer(ref location);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Write(ref int location, int value) => *(int*)Unsafe.AsPointer(ref location) = value;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Write(ref uint location, uint value) => *(uint*)Unsafe.AsPointer(ref location) = value;
    }
}
