using MioOS.Memory.Platform;

namespace MioOS.Kernel;

/// <summary>
/// The kernel command line (QEMU <c>-append</c>, GRUB's <c>multiboot2</c> line), copied out of the boot info
/// while it is still reachable (the loader puts it right after the kernel image, which paging need not map).
/// One switch exists, for checking the harness itself: <c>mioos.test=fail</c> adds a failing test,
/// <c>=panic</c> panics, <c>=triple-fault</c> triple-faults, <c>=hang</c> never finishes.
/// </summary>
internal static unsafe class CommandLine
{
    private const int Capacity = 256;

    private struct Buffer
    {
        public fixed byte Bytes[Capacity];
    }

    private static Buffer s_text;
    private static int s_length;

    // Statics of value types live at fixed addresses in the image (no GC moves anything here).
    private static byte* Text => (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref s_text);

    /// <summary>Copies the command line (at most 256 bytes) out of the boot info.</summary>
    public static void Set(ulong address, uint length)
    {
        MemoryWindow w = Metal.Window;
        s_length = length > Capacity ? Capacity : (int)length;
        byte* text = Text;
        for (int i = 0; i < s_length; i++)
            text[i] = w.Read<byte>(address + (uint)i);
    }

    public static void Print()
    {
        if (s_length == 0)
            return;
        Serial.Write("boot: command line \"");
        byte* text = Text;
        for (int i = 0; i < s_length; i++)
            Serial.Write((char)text[i]);
        Serial.WriteLine("\"");
    }

    /// <summary>True when the command line contains <paramref name="needle"/>.</summary>
    public static bool Contains(string needle)
    {
        byte* text = Text;
        for (int start = 0; start + needle.Length <= s_length; start++)
        {
            int i = 0;
            while (i < needle.Length && text[start + i] == needle[i])
                i++;
            if (i == needle.Length)
                return true;
        }
        return false;
    }

    /// <summary>Acts on <c>mioos.test=...</c>, after the real battery.</summary>
    public static void RunHarnessChecks()
    {
        if (Contains("mioos.test=fail"))
        {
            SelfTestLog.Begin("harness.forced-failure");
            SelfTestLog.Fail("asked for by mioos.test=fail");
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
