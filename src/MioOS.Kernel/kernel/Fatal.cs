namespace Internal.Runtime;

/// <summary>What the minimal core library (corlib/) calls when generated code reaches a throw, a failed cast
/// or anything else it cannot continue from: in this kernel, a panic on COM1 and the failure exit code.</summary>
internal static class Fatal
{
    public static void Stop(string what) => MioOS.Kernel.Panic.Halt(what);

    public static void Stop(string what, string? detail)
    {
        MioOS.Kernel.Serial.Write("PANIC: ");
        MioOS.Kernel.Serial.Write(what);
        if (detail != null)
        {
            MioOS.Kernel.Serial.Write(' ');
            MioOS.Kernel.Serial.Write(detail);
        }
        MioOS.Kernel.Serial.WriteLine();
        MioOS.Kernel.Panic.Exit(MioOS.Kernel.Panic.ExitFail);
    }
}
