using MioOS.Kernel;

namespace MioOS.Memory.CLib;

/// <summary>The host's log callback (<c>mm_set_log</c>) and a line built in a static buffer: no allocation,
/// nothing printed when the host gave no callback.</summary>
internal static unsafe class Log
{
    private const int Capacity = 200;

    private static delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, void> s_sink;
#pragma warning disable CS0169 // used only through fixed (s_line.Bytes), which the compiler does not count
    private static LineBuffer s_line;
#pragma warning restore CS0169
    private static int s_length;

    private struct LineBuffer
    {
        public fixed byte Bytes[Capacity + 1];
    }

    public static void SetSink(delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, void> sink) => s_sink = sink;

    public static bool Enabled => s_sink != null;

    /// <summary>Starts a line with the library's prefix.</summary>
    public static void Begin()
    {
        s_length = 0;
        Append("mioos: ");
    }

    public static void Append(char c)
    {
        if (s_length < Capacity)
        {
            fixed (byte* b = s_line.Bytes)
                b[s_length++] = (byte)c;
        }
    }

    public static void Append(string s)
    {
        for (int i = 0; i < s.Length; i++)
            Append(s[i]);
    }

    public static void Append(byte* cString)
    {
        for (; *cString != 0; cString++)
            Append((char)*cString);
    }

    public static void Status(MmStatus status) => Append(MmStatuses.Name(status));

    public static void Hex(ulong value)
    {
        Append("0x");
        int top = 15;
        while (top > 0 && ((value >> (top * 4)) & 0xF) == 0)
            top--;
        for (int i = top; i >= 0; i--)
        {
            uint nibble = (uint)(value >> (i * 4)) & 0xF;
            Append((char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10));
        }
    }

    public static void Dec(ulong value)
    {
        char* digits = stackalloc char[20];
        int n = 0;
        do
        {
            ulong q = value / 10;
            digits[n++] = (char)('0' + (int)(value - q * 10));
            value = q;
        }
        while (value != 0);
        while (n > 0)
            Append(digits[--n]);
    }

    /// <summary>Ends the line and hands it to the host (without a newline).</summary>
    public static void End()
    {
        fixed (byte* b = s_line.Bytes)
        {
            b[s_length] = 0;
            if (s_sink != null)
                s_sink(b);
        }
    }
}

/// <summary>The library's answer to a state it cannot continue from (a bug, never a bad argument): one log line,
/// then the CPU halts with interrupts off.</summary>
internal static unsafe class Halt
{
    public static void With(string what, string? detail, ulong value, bool hasValue)
    {
        Log.Begin();
        Log.Append("fatal: ");
        Log.Append(what);
        if (detail != null)
        {
            Log.Append(' ');
            Log.Append(detail);
        }
        if (hasValue)
        {
            Log.Append(' ');
            Log.Hex(value);
        }
        Log.End();
        Native.Halt();
    }

    /// <summary>The memory window's violation hook: the core tried to reach memory the window does not cover.</summary>
    public static void WindowViolation(nint context, ulong address, ulong length) =>
        With("memory window cannot reach", null, address, true);
}
