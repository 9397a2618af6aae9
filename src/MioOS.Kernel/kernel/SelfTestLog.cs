namespace MioOS.Kernel;

/// <summary>The self-test battery's bookkeeping: one serial line per test, then the verdict line.</summary>
internal static class SelfTestLog
{
    private static int s_passed;
    private static int s_total;

    public static int Passed => s_passed;
    public static int Total => s_total;

    /// <summary>Starts a test line: <c>TEST name ... </c>; finish it with <see cref="Pass"/> or <see cref="Fail"/>.</summary>
    public static void Begin(string name)
    {
        s_total++;
        Serial.Write("TEST ");
        Serial.Write(name);
        Serial.Write(" ... ");
    }

    /// <summary>Starts a test line whose name ends in a number (<c>TEST smp.heap.cpu2 ... </c>): one test per CPU.</summary>
    public static void BeginNumbered(string name, uint number)
    {
        s_total++;
        Serial.Write("TEST ");
        Serial.Write(name);
        Serial.WriteDec(number);
        Serial.Write(" ... ");
    }

    public static void Pass()
    {
        s_passed++;
        Serial.WriteLine("PASS");
    }

    public static void Fail(string why)
    {
        Serial.Write("FAIL (");
        Serial.Write(why);
        Serial.WriteLine(")");
    }

    public static void Fail(string why, ulong value)
    {
        Serial.Write("FAIL (");
        Serial.Write(why);
        Serial.Write(' ');
        Serial.WriteHex(value);
        Serial.WriteLine(")");
    }

    /// <summary>Ends the test with a pass when <paramref name="ok"/>, else a failure naming <paramref name="why"/>.</summary>
    public static void Check(bool ok, string why)
    {
        if (ok)
            Pass();
        else
            Fail(why);
    }

    /// <summary>Prints the verdict as the last serial line and leaves QEMU with the matching code.</summary>
    public static void Finish()
    {
        bool ok = s_passed == s_total && s_total > 0;
        Serial.Write(ok ? "MIOOS SELFTEST PASS " : "MIOOS SELFTEST FAIL ");
        Serial.WriteDec((ulong)s_passed);
        Serial.Write('/');
        Serial.WriteDec((ulong)s_total);
        Serial.WriteLine();
        if (CommandLine.Contains("mioos.hold"))
        {
            // For QEMU's monitor (mioos-mm qemu --monitor): the final page tables stay up for info mem / info tlb.
            Serial.WriteLine("holding, as asked for by mioos.hold: quit in QEMU's monitor to end");
            Native.Halt();
        }
        Panic.Exit(ok ? Panic.ExitPass : Panic.ExitFail);
    }
}
