using System.Runtime.InteropServices;

namespace Internal.Runtime;

/// <summary>What the minimal core library (src/MioOS.Kernel/corlib) calls when generated code reaches a throw, a
/// failed cast or anything else it cannot continue from: in the malloc library, one line on stderr and abort
/// (native/runtime.c).</summary>
internal static unsafe class Fatal
{
    private const int Capacity = 160;

    [DllImport("*", EntryPoint = "mioos_fatal", CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    private static extern void Abort(byte* message, int length);

#pragma warning disable CS0169, CS0649 // used only through fixed (s_line.Bytes), which the compiler does not count
    private static Line s_line;
#pragma warning restore CS0169, CS0649

    private struct Line
    {
        public fixed byte Bytes[Capacity];
    }

    public static void Stop(string what) => Stop(what, null);

    public static void Stop(string what, string? detail)
    {
        fixed (byte* line = s_line.Bytes)
        {
            int n = Append(line, 0, what);
            if (detail != null)
            {
                n = Append(line, n, " ");
                n = Append(line, n, detail);
            }
            Abort(line, n);
        }
    }

    private static int Append(byte* line, int at, string s)
    {
        for (int i = 0; i < s.Length && at < Capacity; i++)
            line[at++] = s[i] < 128 ? (byte)s[i] : (byte)'?';
        return at;
    }
}
