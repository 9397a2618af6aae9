using MioOS.Memory.Platform;

namespace MioOS.Kernel;

/// <summary>
/// The kernel command line (QEMU <c>-append</c>, GRUB's <c>multiboot2</c> line). One switch exists, for checking
/// the harness itself: <c>mioos.test=fail</c> adds a failing test, <c>=panic</c> panics, <c>=triple-fault</c>
/// triple-faults, <c>=hang</c> never finishes.
/// </summary>
internal static unsafe class CommandLine
{
    private static ulong s_address;
    private static uint s_length;

    public static void Set(ulong address, uint length)
    {
        s_address = address;
        s_length = length;
    }

    public static void Print()
    {
        if (s_length == 0)
            return;
        Serial.Write("boot: command line \"");
        MemoryWindow w = Metal.Window;
        for (uint i = 0; i < s_length && i < 256; i++)
            Serial.Write((char)w.Read<byte>(s_address + i));
        Serial.WriteLine("\"");
    }

    /// <summary>True when the command line contains <paramref name="text"/>.</summary>
    public static bool Contains(string text)
    {
        MemoryWindow w = Metal.Window;
        for (uint start = 0; start + (uint)text.Length <= s_length; start++)
        {
            int i = 0;
            while (i < text.Length && w.Read<byte>(s_address + start + (uint)i) == text[i])
                i++;
            if (i == text.Length)
                return true;
        }
        return false;
    }

    /// <summary>Acts on <c>mioos.test=...</c>, after the real battery.</summary>
    public static void RunHarnessChecks()
    {
        if (Contains("mioos.test=fail"))
        {
            SelfTest.Begin("harness.forced-failure");
            SelfTest.Fail("asked for by mioos.test=fail");
        }
        if (Contains("mioos.test=panic"))
            Panic.Halt("asked for by mioos.test=panic");
        if (Contains("mioos.test=triple-fault"))
            NativeHarness.TripleFault();
        if (Contains("mioos.test=hang"))
        {
            Serial.WriteLine("hanging, as asked for by mioos.test=hang");
            Native.Halt();
        }
    }
}
