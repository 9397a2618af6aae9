// Runtime pieces ILC asks for by name. There is no garbage collector and no exception dispatch: allocation is
// left to the host's RhpNewFast (the core never allocates), and every "throw" stops the machine.
// What this core library needs from the program it is compiled into (the kernel, the C library): one class,
// Internal.Runtime.Fatal, with static void Stop(string what) and Stop(string what, string? detail) that report
// and never return.
#pragma warning disable CS0169, CS0649, IDE0051
using System;
using System.Runtime;

namespace Internal.Runtime
{
    /// <summary>The compiler's type descriptor; only its first fields are read here.</summary>
    internal unsafe struct MethodTable
    {
        internal ushort _usComponentSize;
        internal ushort _usFlags;
        internal uint _uBaseSize;
        internal MethodTable* _relatedType;
        internal ushort _usNumVtableSlots;
        internal ushort _usNumInterfaces;
        internal uint _uHashCode;
    }
}

namespace Internal.Runtime.CompilerHelpers
{
    internal static class ThrowHelpers
    {
        public static void ThrowOverflowException() => Internal.Runtime.Fatal.Stop("overflow");
        public static void ThrowIndexOutOfRangeException() => Internal.Runtime.Fatal.Stop("index out of range");
        public static void ThrowNullReferenceException() => Internal.Runtime.Fatal.Stop("null reference");
        public static void ThrowDivideByZeroException() => Internal.Runtime.Fatal.Stop("divide by zero");
        public static void ThrowArrayTypeMismatchException() => Internal.Runtime.Fatal.Stop("array type mismatch");
        public static void ThrowPlatformNotSupportedException() => Internal.Runtime.Fatal.Stop("platform not supported");
        public static void ThrowTypeLoadException() => Internal.Runtime.Fatal.Stop("type load");
        public static void ThrowArgumentException() => Internal.Runtime.Fatal.Stop("argument");
        public static void ThrowArgumentOutOfRangeException() => Internal.Runtime.Fatal.Stop("argument out of range");
        public static void ThrowInvalidProgramException() => Internal.Runtime.Fatal.Stop("invalid program");

        // ILC compiles a method it cannot compile into a call to this (the argument names the method).
        public static void ThrowInvalidProgramExceptionWithArgument(int id, string? method) =>
            Internal.Runtime.Fatal.Stop("invalid program:", method);
        public static void ThrowFeatureBodyRemoved() => Internal.Runtime.Fatal.Stop("feature body removed");
        public static void ThrowNotImplementedException() => Internal.Runtime.Fatal.Stop("not implemented");
        public static void ThrowNotSupportedException() => Internal.Runtime.Fatal.Stop("not supported");
        public static void ThrowInvalidCastException() => Internal.Runtime.Fatal.Stop("invalid cast");
    }

    internal static unsafe class MemoryHelpers
    {
        [RuntimeExport("memset")]
        private static void* MemSet(byte* destination, int value, nuint length)
        {
            for (nuint i = 0; i < length; i++)
                destination[i] = (byte)value;
            return destination;
        }
    }
}

namespace System
{
    internal static unsafe class SpanHelpers
    {
        internal static void Memmove(ref byte destination, ref byte source, nuint length)
        {
            byte* d = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref destination);
            byte* s = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref source);
            if (d == s || length == 0)
                return;
            if (d < s)
            {
                for (nuint i = 0; i < length; i++)
                    d[i] = s[i];
            }
            else
            {
                for (nuint i = length; i > 0; i--)
                    d[i - 1] = s[i - 1];
            }
        }

        internal static void ClearWithoutReferences(ref byte destination, nuint length)
        {
            byte* d = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref destination);
            // Bytes up to a word boundary, then whole words (kcalloc and page-table zeroing clear whole pages).
            while (length > 0 && ((nuint)d & (nuint)(sizeof(nuint) - 1)) != 0)
            {
                *d++ = 0;
                length--;
            }
            nuint* w = (nuint*)d;
            for (; length >= (nuint)sizeof(nuint); length -= (nuint)sizeof(nuint))
                *w++ = 0;
            d = (byte*)w;
            for (; length > 0; length--)
                *d++ = 0;
        }

        internal static void Fill(ref byte destination, byte value, nuint length)
        {
            byte* d = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref destination);
            for (nuint i = 0; i < length; i++)
                d[i] = value;
        }
    }

    internal static unsafe class Buffer
    {
        internal static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint length) =>
            SpanHelpers.Memmove(ref destination, ref source, length);

        internal static void Memmove(ref byte destination, ref byte source, nuint length) =>
            SpanHelpers.Memmove(ref destination, ref source, length);
    }
}
