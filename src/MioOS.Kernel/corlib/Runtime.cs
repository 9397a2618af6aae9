// Runtime pieces ILC asks for by name. There is no garbage collector and no exception dispatch: allocation is
// a bump pointer in a small static arena (the kernel itself never allocates), and every "throw" panics.
#pragma warning disable CS0169, CS0649, IDE0051
using System;
using System.Runtime;
using MioOS.Kernel;

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
        public static void ThrowOverflowException() => Panic.Halt("overflow");
        public static void ThrowIndexOutOfRangeException() => Panic.Halt("index out of range");
        public static void ThrowNullReferenceException() => Panic.Halt("null reference");
        public static void ThrowDivideByZeroException() => Panic.Halt("divide by zero");
        public static void ThrowArrayTypeMismatchException() => Panic.Halt("array type mismatch");
        public static void ThrowPlatformNotSupportedException() => Panic.Halt("platform not supported");
        public static void ThrowTypeLoadException() => Panic.Halt("type load");
        public static void ThrowArgumentException() => Panic.Halt("argument");
        public static void ThrowArgumentOutOfRangeException() => Panic.Halt("argument out of range");
        public static void ThrowInvalidProgramException() => Panic.Halt("invalid program");

        // ILC compiles a method it cannot compile into a call to this (the argument names the method).
        public static void ThrowInvalidProgramExceptionWithArgument(int id, string? method)
        {
            Serial.Write("PANIC: invalid program: ");
            if (method != null)
                Serial.Write(method);
            Serial.WriteLine();
            Panic.Exit(Panic.ExitFail);
        }
        public static void ThrowFeatureBodyRemoved() => Panic.Halt("feature body removed");
        public static void ThrowNotImplementedException() => Panic.Halt("not implemented");
        public static void ThrowNotSupportedException() => Panic.Halt("not supported");
        public static void ThrowInvalidCastException() => Panic.Halt("invalid cast");
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
            for (nuint i = 0; i < length; i++)
                d[i] = 0;
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
