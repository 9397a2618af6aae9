namespace Internal.Runtime;

/// <summary>What the minimal core library (src/MioOS.Kernel/corlib) calls when generated code reaches a throw, a
/// failed cast or anything else it cannot continue from: in the C library, a log line and a halt.</summary>
internal static class Fatal
{
    public static void Stop(string what) => MioOS.Memory.CLib.Halt.With(what, null, 0, false);

    public static void Stop(string what, string? detail) => MioOS.Memory.CLib.Halt.With(what, detail, 0, false);
}
