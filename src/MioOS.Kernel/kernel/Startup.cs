namespace MioOS.Kernel;

/// <summary>
/// What a runtime's startup would do before managed code runs, reduced to what this kernel needs: run the
/// static constructors ILC could not pre-initialise at compile time ("eager" ones: ILC lists them in the
/// ReadyToRun header's EagerCctor section and leaves the call to the startup code). Lazily-run constructors
/// would need a class-constructor runner in the core library; ILC names it if the code ever needs one.
/// </summary>
internal static unsafe class Startup
{
    private const uint Signature = 0x00525452; // "RTR"
    private const uint EagerCctorSection = 205;

    private static uint s_eagerConstructors;

    /// <summary>How many eager static constructors ran.</summary>
    public static uint EagerConstructors => s_eagerConstructors;

    /// <summary>Runs the eager static constructors; false when the header is not what this code understands.</summary>
    public static bool RunEagerConstructors()
    {
        byte* header = (byte*)NativeImage.ReadyToRunHeader();
        if (*(uint*)header != Signature)
            return false;
        ushort sections = *(ushort*)(header + 12);
        byte entrySize = header[14];
        if (entrySize < 16)
            return false;
        byte* entry = header + 16;
        for (uint i = 0; i < sections; i++, entry += entrySize)
        {
            if (*(uint*)entry != EagerCctorSection)
                continue;
            // Start and end of the section are addresses (the image is linked at a fixed base); each slot in
            // it is a 32-bit pointer relative to the slot itself.
            int* slot = (int*)*(uint*)(entry + 8);
            int* end = (int*)*(uint*)(entry + 12);
            for (; slot < end; slot++)
            {
                var constructor = (delegate*<void>)((byte*)slot + *slot);
                constructor();
                s_eagerConstructors++;
            }
        }
        return true;
    }
}
