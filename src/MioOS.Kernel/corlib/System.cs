// The minimal core library the kernel is compiled against: just the types and helpers the C# compiler and
// NativeAOT's ILC need by name. No garbage collector, no exceptions, no reflection.
#pragma warning disable CS0169, CS0649, CS0414, CS0660, CS0661, CS8618, CS0626, IDE0051
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace System
{
    public class Object
    {
        // The layout of object is a contract with the compiler: the method-table pointer comes first.
        internal unsafe Internal.Runtime.MethodTable* m_pMethodTable;

        public Object() { }
        ~Object() { }
        public virtual bool Equals(object? o) => false;
        public virtual int GetHashCode() => 0;
        public virtual string? ToString() => null;
    }

    public struct Void { }
    public struct Boolean { }
    public struct Char { }
    public struct SByte { public const sbyte MinValue = -128; public const sbyte MaxValue = 127; }
    public struct Byte { public const byte MinValue = 0; public const byte MaxValue = 0xFF; }
    public struct Int16 { public const short MinValue = -32768; public const short MaxValue = 32767; }
    public struct UInt16 { public const ushort MinValue = 0; public const ushort MaxValue = 0xFFFF; }
    public struct Int32 { public const int MinValue = -2147483648; public const int MaxValue = 2147483647; }
    public struct UInt32 { public const uint MinValue = 0; public const uint MaxValue = 0xFFFFFFFF; }
    public struct Int64 { public const long MinValue = -9223372036854775808; public const long MaxValue = 9223372036854775807; }
    public struct UInt64 { public const ulong MinValue = 0; public const ulong MaxValue = 0xFFFFFFFFFFFFFFFF; }
    public struct Single { }
    public struct Double { }

    public unsafe struct IntPtr
    {
        private void* _value;
        public IntPtr(void* value) { _value = value; }
        public static readonly IntPtr Zero;
    }

    public unsafe struct UIntPtr
    {
        private void* _value;
        public UIntPtr(void* value) { _value = value; }
    }

    public abstract class ValueType { }
    public abstract class Enum : ValueType { }

    public struct Nullable<T> where T : struct
    {
        private readonly bool hasValue;
        internal T value;
        public bool HasValue => hasValue;
        public T GetValueOrDefault() => value;
    }

    public sealed class String
    {
        // ILC knows these two fields by name.
        private readonly int _stringLength;
        private char _firstChar;

        public int Length => _stringLength;

        public unsafe char this[int index]
        {
            get
            {
                fixed (char* p = &_firstChar)
                    return p[index];
            }
        }
    }

    public abstract class Array
    {
        private int _numComponents;
        public int Length => _numComponents;
    }

    public class Array<T> : Array { }

    public abstract class Delegate
    {
        internal object m_firstParameter;
        internal object m_helperObject;
        internal nint m_extraFunctionPointerOrData;
        internal IntPtr m_functionPointer;
    }

    public abstract class MulticastDelegate : Delegate { }

    public struct RuntimeTypeHandle { private IntPtr _value; }
    public struct RuntimeMethodHandle { private IntPtr _value; }
    public struct RuntimeFieldHandle { private IntPtr _value; }

    public abstract class Type { }
    internal sealed class RuntimeType : Type { }

    public class Exception { }

    public abstract class Attribute { }

    [AttributeUsage(AttributeTargets.Class, Inherited = true)]
    public sealed class AttributeUsageAttribute : Attribute
    {
        public AttributeUsageAttribute(AttributeTargets validOn) { }
        public bool AllowMultiple { get; set; }
        public bool Inherited { get; set; }
    }

    [Flags]
    public enum AttributeTargets
    {
        Assembly = 0x0001, Module = 0x0002, Class = 0x0004, Struct = 0x0008, Enum = 0x0010,
        Constructor = 0x0020, Method = 0x0040, Property = 0x0080, Field = 0x0100, Event = 0x0200,
        Interface = 0x0400, Parameter = 0x0800, Delegate = 0x1000, ReturnValue = 0x2000,
        GenericParameter = 0x4000, All = 0x7FFF,
    }

    [AttributeUsage(AttributeTargets.Enum)]
    public sealed class FlagsAttribute : Attribute { }

    [AttributeUsage(AttributeTargets.All)]
    public sealed class ObsoleteAttribute : Attribute { }

    public sealed class ParamArrayAttribute : Attribute { }

    public ref struct Span<T>
    {
        private readonly ref T _reference;
        private readonly int _length;

        public unsafe Span(void* pointer, int length)
        {
            _reference = ref Unsafe.AsRef<T>(pointer);
            _length = length;
        }

        internal Span(ref T reference, int length)
        {
            _reference = ref reference;
            _length = length;
        }

        public Span<T> Slice(int start, int length)
        {
            if ((uint)start > (uint)_length || (uint)length > (uint)(_length - start))
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            return new Span<T>(ref Unsafe.Add(ref _reference, start), length);
        }

        public Span<T> Slice(int start) => Slice(start, _length - start);

        /// <summary>Copies every element to <paramref name="destination"/>, which must be at least as long (overlap allowed).</summary>
        public void CopyTo(Span<T> destination)
        {
            if ((uint)_length > (uint)destination.Length)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentException();
            SpanHelpers.Memmove(ref Unsafe.As<T, byte>(ref destination._reference), ref Unsafe.As<T, byte>(ref _reference),
                (nuint)_length * (nuint)Unsafe.SizeOf<T>());
        }

        public void Clear() =>
            SpanHelpers.ClearWithoutReferences(ref Unsafe.As<T, byte>(ref _reference), (nuint)_length * (nuint)Unsafe.SizeOf<T>());

        public void Fill(T value)
        {
            for (int i = 0; i < _length; i++)
                Unsafe.Add(ref _reference, i) = value;
        }

        public static implicit operator ReadOnlySpan<T>(Span<T> span) => new ReadOnlySpan<T>(ref span._reference, span._length);

        public int Length => _length;

        public ref T this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_length)
                    Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
                return ref Unsafe.Add(ref _reference, index);
            }
        }
    }

    public ref struct ReadOnlySpan<T>
    {
        private readonly ref T _reference;
        private readonly int _length;

        public unsafe ReadOnlySpan(void* pointer, int length)
        {
            _reference = ref Unsafe.AsRef<T>(pointer);
            _length = length;
        }

        internal ReadOnlySpan(ref T reference, int length)
        {
            _reference = ref reference;
            _length = length;
        }

        // The C# compiler requires this constructor to bind UTF-8 literals ("..."u8), then emits them as a pointer to
        // static data with the (void*, int) constructor: it is never called, and there are no managed arrays here.
        public ReadOnlySpan(T[] array, int start, int length)
        {
            this = default;
            Internal.Runtime.Fatal.Stop("ReadOnlySpan over a managed array");
        }

        public ReadOnlySpan<T> Slice(int start, int length)
        {
            if ((uint)start > (uint)_length || (uint)length > (uint)(_length - start))
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            return new ReadOnlySpan<T>(ref Unsafe.Add(ref _reference, start), length);
        }

        public ReadOnlySpan<T> Slice(int start) => Slice(start, _length - start);

        public int Length => _length;

        /// <summary>What <c>fixed (T* p = span)</c> pins: the first element (a null reference when empty).</summary>
        public ref readonly T GetPinnableReference() => ref _reference;

        public ref readonly T this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_length)
                    Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
                return ref Unsafe.Add(ref _reference, index);
            }
        }
    }

    public static class Math
    {
        // 64-bit division is managed code on 32-bit targets: ILC calls these by name. Shift-and-subtract, so
        // they never divide themselves.
        internal static ulong DivUInt64(ulong dividend, ulong divisor)
        {
            ulong quotient = UDivRem(dividend, divisor, out _);
            return quotient;
        }

        internal static ulong ModUInt64(ulong dividend, ulong divisor)
        {
            UDivRem(dividend, divisor, out ulong remainder);
            return remainder;
        }

        internal static long DivInt64(long dividend, long divisor)
        {
            bool negative = (dividend < 0) != (divisor < 0);
            ulong q = UDivRem(Abs(dividend), Abs(divisor), out _);
            return negative ? -(long)q : (long)q;
        }

        internal static long ModInt64(long dividend, long divisor)
        {
            UDivRem(Abs(dividend), Abs(divisor), out ulong r);
            return dividend < 0 ? -(long)r : (long)r;
        }

        internal static int DivInt32(int dividend, int divisor) => dividend / divisor;
        internal static uint DivUInt32(uint dividend, uint divisor) => dividend / divisor;
        internal static int ModInt32(int dividend, int divisor) => dividend % divisor;
        internal static uint ModUInt32(uint dividend, uint divisor) => dividend % divisor;

        internal static ulong MultiplyChecked(ulong a, ulong b)
        {
            ulong product = a * b;
            if (((a | b) >> 32) != 0 && a != 0 && DivUInt64(product, a) != b)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowOverflowException();
            return product;
        }

        internal static long MultiplyChecked(long a, long b)
        {
            bool negative = (a < 0) != (b < 0);
            ulong magnitude = MultiplyChecked(Abs(a), Abs(b));
            if (magnitude > (negative ? 0x8000000000000000UL : 0x7FFFFFFFFFFFFFFFUL))
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowOverflowException();
            return negative ? (long)(0 - magnitude) : (long)magnitude;
        }

        private static ulong Abs(long value) => value < 0 ? (ulong)(-value) : (ulong)value;

        private static ulong UDivRem(ulong dividend, ulong divisor, out ulong remainder)
        {
            if (divisor == 0)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowDivideByZeroException();
            if ((divisor >> 32) == 0 && (dividend >> 32) == 0)
            {
                remainder = (uint)dividend % (uint)divisor;
                return (uint)dividend / (uint)divisor;
            }
            ulong quotient = 0;
            ulong rem = 0;
            for (int bit = 63; bit >= 0; bit--)
            {
                rem = (rem << 1) | ((dividend >> bit) & 1);
                if (rem >= divisor)
                {
                    rem -= divisor;
                    quotient |= 1UL << bit;
                }
            }
            remainder = rem;
            return quotient;
        }
    }
}

namespace System.Runtime
{
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class RuntimeExportAttribute : Attribute
    {
        public RuntimeExportAttribute(string entry) { }
    }

    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class RuntimeImportAttribute : Attribute
    {
        public RuntimeImportAttribute(string lib) { }
        public RuntimeImportAttribute(string lib, string entry) { }
    }
}

namespace System.Runtime.CompilerServices
{
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Method | AttributeTargets.Field | AttributeTargets.Struct | AttributeTargets.Constructor, Inherited = false)]
    internal sealed class IntrinsicAttribute : Attribute { }

    public sealed class IsVolatile { }

    public enum MethodImplOptions
    {
        Unmanaged = 0x0004, NoInlining = 0x0008, ForwardRef = 0x0010, Synchronized = 0x0020,
        NoOptimization = 0x0040, PreserveSig = 0x0080, AggressiveInlining = 0x0100,
        AggressiveOptimization = 0x0200, InternalCall = 0x1000,
    }

    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, Inherited = false)]
    public sealed class MethodImplAttribute : Attribute
    {
        public MethodImplAttribute(MethodImplOptions methodImplOptions) { }
    }

    public static class RuntimeFeature
    {
        public const string ByRefFields = nameof(ByRefFields);
        public const string UnmanagedSignatureCallingConvention = nameof(UnmanagedSignatureCallingConvention);
        public const string NumericIntPtr = nameof(NumericIntPtr);
        public const string VirtualStaticsInInterfaces = nameof(VirtualStaticsInInterfaces);
        public const string DefaultImplementationsOfInterfaces = nameof(DefaultImplementationsOfInterfaces);
    }

    public static class RuntimeHelpers
    {
        public static int OffsetToStringData => 8;
    }

    public static unsafe class Unsafe
    {
        // Bodies are supplied by the compiler (intrinsics).
        [Intrinsic]
        public static extern ref T AsRef<T>(void* source);

        [Intrinsic]
        public static extern ref T Add<T>(ref T source, int elementOffset);

        [Intrinsic]
        public static extern void* AsPointer<T>(ref T value);

        [Intrinsic]
        public static extern int SizeOf<T>();

        [Intrinsic]
        public static extern ref TTo As<TFrom, TTo>(ref TFrom source);
    }

    public sealed class CallConvCdecl { }
    public sealed class CallConvSuppressGCTransition { }
    public sealed class CallConvStdcall { }

    [AttributeUsage(AttributeTargets.All)]
    public sealed class CompilerGeneratedAttribute : Attribute { }
}

namespace System.Runtime.InteropServices
{
    public enum CallingConvention
    {
        Winapi = 1, Cdecl = 2, StdCall = 3, ThisCall = 4, FastCall = 5,
    }

    public enum CharSet { None = 1, Ansi = 2, Unicode = 3, Auto = 4 }

    public enum LayoutKind { Sequential = 0, Explicit = 2, Auto = 3 }

    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class DllImportAttribute : Attribute
    {
        public DllImportAttribute(string dllName) { }
        public CallingConvention CallingConvention;
        public string? EntryPoint;
        public bool ExactSpelling;
        public CharSet CharSet;
        public bool SetLastError;
    }

    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class SuppressGCTransitionAttribute : Attribute { }

    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class UnmanagedCallersOnlyAttribute : Attribute
    {
        public Type[]? CallConvs;
        public string? EntryPoint;
    }

    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
    public sealed class StructLayoutAttribute : Attribute
    {
        public StructLayoutAttribute(LayoutKind layoutKind) { }
        public int Pack;
        public int Size;
        public CharSet CharSet;
    }

    [AttributeUsage(AttributeTargets.Field, Inherited = false)]
    public sealed class FieldOffsetAttribute : Attribute
    {
        public FieldOffsetAttribute(int offset) { }
    }

    public sealed class InAttribute : Attribute { }
    public sealed class OutAttribute : Attribute { }
}

namespace System.Reflection
{
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface)]
    public sealed class DefaultMemberAttribute : Attribute
    {
        public DefaultMemberAttribute(string memberName) { }
    }
}

namespace System.Runtime.InteropServices
{
    // Only its name matters: the C# compiler encodes the `unmanaged` constraint as modreq(UnmanagedType).
    public enum UnmanagedType { }
}

namespace System.Runtime.InteropServices
{
    public unsafe interface IDynamicInterfaceCastable
    {
        // Looked up by name by ILC for interface dispatch; never reached (no dynamic casts here).
        internal static nint GetDynamicInterfaceImplementation(IDynamicInterfaceCastable instance, void* interfaceType, ushort slot)
        {
            Internal.Runtime.Fatal.Stop("dynamic interface dispatch");
            return 0;
        }
    }
}
