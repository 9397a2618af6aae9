using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MioOS.Kernel;

/// <summary>What <c>trap_common</c> pushed: the registers (pushad), the vector, the error code and the CPU's frame.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TrapFrame
{
    public uint Edi, Esi, Ebp, EspAtTrap, Ebx, Edx, Ecx, Eax;
    public uint Vector;
    public uint ErrorCode;
    public uint Eip, Cs, Eflags;
}

/// <summary>
/// The exception handlers. A page fault is recovered in one of two ways: an access made by a probe resumes at
/// the probe's fix-up address (the probe then reports the fault), and an access inside the demand-paging window
/// gets a fresh zeroed frame from the PMM mapped at CR2, after which returning re-runs the access. Anything
/// else is a panic that names the vector, EIP, CR2 and the error code.
/// </summary>
internal static unsafe class Traps
{
    /// <summary>#PF error code bits (SDM vol. 3, 4.7).</summary>
    public const uint ErrorPresent = 1, ErrorWrite = 2, ErrorUser = 4, ErrorReserved = 8, ErrorFetch = 16;

    private static uint s_pageFaults;
    private static uint s_lastCr2;
    private static uint s_lastError;
    private static uint s_lastEip;
    private static uint s_demandBase;
    private static uint s_demandLength;
    private static delegate*<uint, bool> s_demandMap;
    private static uint s_demandMapped;

    public static uint PageFaults => s_pageFaults;
    public static uint LastCr2 => s_lastCr2;
    public static uint LastError => s_lastError;
    public static uint LastEip => s_lastEip;
    public static uint DemandMapped => s_demandMapped;

    public static void Install() => NativeTraps.InstallIdt();

    /// <summary>Not-present faults inside [base, base + length) are served by <paramref name="mapFreshFrame"/>,
    /// which maps a fresh zeroed frame at the page of the address it is given (false: it could not).</summary>
    public static void EnableDemandPaging(uint baseAddress, uint length, delegate*<uint, bool> mapFreshFrame)
    {
        s_demandBase = baseAddress;
        s_demandLength = length;
        s_demandMap = mapFreshFrame;
    }

    public static void DisableDemandPaging() => s_demandLength = 0;

    [UnmanagedCallersOnly(EntryPoint = "mio_on_trap", CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnTrap(TrapFrame* frame)
    {
        if (frame->Vector == Smp.Shootdown.Vector)
        {
            Smp.Shootdown.OnInterrupt();
            return;
        }
        if (frame->Vector == 14)
        {
            uint cr2 = Native.ReadCr2();
            s_pageFaults++;
            s_lastCr2 = cr2;
            s_lastError = frame->ErrorCode;
            s_lastEip = frame->Eip;
            if (frame->Eip == NativeTraps.ProbeFaultIp(0) || frame->Eip == NativeTraps.ProbeFaultIp(1))
            {
                frame->Eip = NativeTraps.ProbeFixupIp();
                return;
            }
            if ((frame->ErrorCode & ErrorPresent) == 0 && cr2 - s_demandBase < s_demandLength && s_demandMap != null
                && s_demandMap(cr2 & ~0xFFFu))
            {
                s_demandMapped++;
                return; // the access runs again and now finds the page
            }
            Serial.Write("PANIC: page fault at ");
            Serial.WriteHex(cr2, 8);
            Serial.Write(" error ");
            Serial.WriteHex(frame->ErrorCode);
            Serial.Write(" eip ");
            Serial.WriteHex(frame->Eip, 8);
            Serial.WriteLine();
            Panic.Exit(Panic.ExitFail);
        }
        Serial.Write("PANIC: CPU exception ");
        Serial.WriteDec(frame->Vector);
        Serial.Write(" error ");
        Serial.WriteHex(frame->ErrorCode);
        Serial.Write(" eip ");
        Serial.WriteHex(frame->Eip, 8);
        Serial.WriteLine();
        Panic.Exit(Panic.ExitFail);
    }
}
