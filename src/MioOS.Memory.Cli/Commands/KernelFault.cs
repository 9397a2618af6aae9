using System;
using MioOS.Memory.Hosting;
using MioOS.Memory.Hosting.Cpu;

namespace MioOS.Memory.Cli.Commands;

/// <summary>A fault inside the simulated memory manager, said in one line as a kernel's fault handler would say it:
/// the faulting address, the error code and the operation that was running.</summary>
internal static class KernelFault
{
    public static string Describe(Exception e, string operation) => e switch
    {
        PageFaultException pf => $"kernel page fault during '{operation}': CR2 = 0x{pf.Fault.Address:X8}, error code 0x{(uint)pf.Fault.ErrorCode:X} ({Causes(pf.Fault.ErrorCode)})",
        MemoryWindowViolationException w => $"kernel access outside memory during '{operation}': 0x{w.Address:X}, {w.Length} bytes",
        _ => $"kernel fault during '{operation}'",
    };

    private static string Causes(PageFaultErrorCode code) =>
        $"{((code & PageFaultErrorCode.Present) != 0 ? "protection" : "not present")}, "
        + $"{((code & PageFaultErrorCode.Write) != 0 ? "write" : "read")}, "
        + $"{((code & PageFaultErrorCode.User) != 0 ? "user" : "supervisor")}"
        + ((code & PageFaultErrorCode.ReservedBit) != 0 ? ", reserved bit" : "");
}
