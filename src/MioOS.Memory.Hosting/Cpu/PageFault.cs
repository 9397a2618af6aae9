using System;

namespace MioOS.Memory.Hosting.Cpu;

/// <summary>What an access does, for the MMU's rights checks.</summary>
public enum AccessKind : byte
{
    /// <summary>A data read.</summary>
    Read = 0,

    /// <summary>A data write.</summary>
    Write = 1,

    /// <summary>An instruction fetch.</summary>
    Execute = 2,
}

/// <summary>The page-fault error code pushed by #PF (Intel SDM vol. 3, 4.7).</summary>
[Flags]
public enum PageFaultErrorCode : uint
{
    /// <summary>Not-present page, read, supervisor.</summary>
    None = 0,

    /// <summary>Bit 0, P: 0 = not-present page; 1 = protection violation (or reserved bit).</summary>
    Present = 1u << 0,

    /// <summary>Bit 1, W/R: the access was a write.</summary>
    Write = 1u << 1,

    /// <summary>Bit 2, U/S: the access was a user-mode access.</summary>
    User = 1u << 2,

    /// <summary>Bit 3, RSVD: a reserved bit was set in a paging-structure entry.</summary>
    ReservedBit = 1u << 3,

    /// <summary>Bit 4, I/D: an instruction fetch (reported in 32-bit paging only with CR4.SMEP = 1).</summary>
    InstructionFetch = 1u << 4,
}

/// <summary>A page fault: CR2 (the faulting linear address) and the error code.</summary>
/// <param name="Address">The linear address (what CR2 receives).</param>
/// <param name="ErrorCode">The error code.</param>
public readonly record struct PageFault(uint Address, PageFaultErrorCode ErrorCode)
{
    /// <summary>Reads like "#PF at 0x00401000 [not-present, write, supervisor]".</summary>
    public override string ToString()
    {
        string cause = (ErrorCode & PageFaultErrorCode.ReservedBit) != 0 ? "reserved bit set"
            : (ErrorCode & PageFaultErrorCode.Present) != 0 ? "protection" : "not-present";
        string what = (ErrorCode & PageFaultErrorCode.InstructionFetch) != 0 ? "fetch"
            : (ErrorCode & PageFaultErrorCode.Write) != 0 ? "write" : "read";
        string who = (ErrorCode & PageFaultErrorCode.User) != 0 ? "user" : "supervisor";
        return $"#PF at 0x{Address:X8} [{cause}, {what}, {who}] error code 0x{(uint)ErrorCode:X}";
    }
}

/// <summary>
/// Thrown by the checked memory window when the core touches memory the CPU would fault on: on the metal this
/// access would raise #PF inside the memory manager.
/// </summary>
public sealed class PageFaultException : Exception
{
    /// <summary>Creates the exception for <paramref name="fault"/>.</summary>
    public PageFaultException(PageFault fault, uint length, string access)
        : base($"{fault} while the memory manager made a {length}-byte {access} access: on the metal this faults.")
    {
        Fault = fault;
        // The fault ends every call in progress on this thread (a kernel stops the machine there); the locks
        // those calls took stay held, as they would on the metal.
        Locks.HostedLock.AbandonHeldLocks();
    }

    /// <summary>The fault.</summary>
    public PageFault Fault { get; }
}
