using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MioOS.Kernel;

/// <summary>Where the entry stub hands over: multiboot magic and the physical address of the info block.</summary>
internal static unsafe class Kmain
{
    public const uint Multiboot1Magic = 0x2BADB002;
    public const uint Multiboot2Magic = 0x36D76289;

    [UnmanagedCallersOnly(EntryPoint = "kmain", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void Main(uint magic, uint info)
    {
        bool started = Startup.RunEagerConstructors();
        Serial.Init();
        Serial.WriteLine();
        Serial.WriteLine("MioOS.Memory kernel (i386)");
        Serial.Write("boot: magic ");
        Serial.WriteHex(magic, 8);
        Serial.Write(" info ");
        Serial.WriteHex(info, 8);
        Serial.Write(" image ");
        Serial.WriteHex(Native.ImageBase(), 8);
        Serial.Write("-");
        Serial.WriteHex(Native.ImageEnd(), 8);
        Serial.WriteLine();
        if (!started)
            Panic.Halt("the image has no ReadyToRun header this startup code understands");
        if (magic != Multiboot1Magic && magic != Multiboot2Magic)
            Panic.Halt("not loaded by a multiboot loader: magic", magic);

        Tests.Run(magic, info);
        SelfTest.Finish();
    }
}
