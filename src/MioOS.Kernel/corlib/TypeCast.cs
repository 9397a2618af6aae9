// Casting and boxing entry points ILC binds to by name. The kernel subset has no casts across class
// hierarchies and no boxing, so every one of them panics if it is ever reached.
#pragma warning disable IDE0060

namespace System.Runtime
{
    internal static unsafe class TypeCast
    {
        private static object Fail(string what)
        {
            Internal.Runtime.Fatal.Stop(what);
            return null!;
        }

        public static object IsInstanceOfClass(void* type, object obj) => Fail("cast: IsInstanceOfClass");
        public static object IsInstanceOfAny(void* type, object obj) => Fail("cast: IsInstanceOfAny");
        public static object IsInstanceOfInterface(void* type, object obj) => Fail("cast: IsInstanceOfInterface");
        public static object IsInstanceOf(void* type, object obj) => Fail("cast: IsInstanceOf");
        public static bool IsInstanceOfException(void* type, object obj) { Fail("cast: IsInstanceOfException"); return false; }
        public static bool AreTypesAssignable(void* source, void* target) { Fail("cast: AreTypesAssignable"); return false; }
        public static object CheckCastAny(void* type, object obj) => Fail("cast: CheckCastAny");
        public static object CheckCastInterface(void* type, object obj) => Fail("cast: CheckCastInterface");
        public static object CheckCastClass(void* type, object obj) => Fail("cast: CheckCastClass");
        public static object CheckCastClassSpecial(void* type, object obj) => Fail("cast: CheckCastClassSpecial");
        public static object CheckCast(void* type, object obj) => Fail("cast: CheckCast");
        public static void StelemRef(object?[] array, nint index, object? obj) => Fail("cast: StelemRef");
        public static ref object? LdelemaRef(object?[] array, nint index, void* elementType)
        {
            Fail("cast: LdelemaRef");
            return ref array[index];
        }
    }
}
