namespace MioOS.Kernel;

/// <summary>COM1 (0x3F8), 115200 8N1, polled. The only console the kernel has.</summary>
internal static class Serial
{
    private const uint Port = 0x3F8;

    public static void Init()
    {
        Native.OutB(Port + 1, 0x00); // no interrupts
        Native.OutB(Port + 3, 0x80); // DLAB on
        Native.OutB(Port + 0, 0x01); // divisor 1: 115200 baud
        Native.OutB(Port + 1, 0x00);
        Native.OutB(Port + 3, 0x03); // 8N1, DLAB off
        Native.OutB(Port + 2, 0xC7); // FIFO on, cleared
        Native.OutB(Port + 4, 0x03); // DTR, RTS
    }

    public static void Write(char c)
    {
        if (c == '\n')
            WriteRaw('\r');
        WriteRaw(c);
    }

    private static void WriteRaw(char c)
    {
        for (int spin = 0; spin < 100000 && (Native.InB(Port + 5) & 0x20) == 0; spin++)
        {
        }
        Native.OutB(Port, c);
    }

    public static void Write(string s)
    {
        for (int i = 0; i < s.Length; i++)
            Write(s[i]);
    }

    public static void WriteLine(string s)
    {
        Write(s);
        Write('\n');
    }

    public static void WriteLine() => Write('\n');

    /// <summary>Unsigned decimal.</summary>
    public static unsafe void WriteDec(ulong value)
    {
        char* buffer = stackalloc char[20];
        int n = 0;
        do
        {
            ulong q = value / 10;
            buffer[n++] = (char)('0' + (int)(value - q * 10));
            value = q;
        }
        while (value != 0);
        while (n > 0)
            Write(buffer[--n]);
    }

    /// <summary>0x-prefixed hex, at least <paramref name="digits"/> digits.</summary>
    public static void WriteHex(ulong value, int digits = 1)
    {
        Write('0');
        Write('x');
        int top = 15;
        while (top >= digits && ((value >> (top * 4)) & 0xF) == 0)
            top--;
        for (int i = top; i >= 0; i--)
        {
            uint nibble = (uint)(value >> (i * 4)) & 0xF;
            Write((char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10));
        }
    }
}
