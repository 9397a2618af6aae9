using System.Runtime.InteropServices;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Virtual;

/// <summary>
/// The VMM's own record, kept in a frame of its own (identity-mapped once paging is on). The rest of that frame,
/// from <see cref="RegistryOffset"/>, lists the page directories of the address spaces other than the kernel's
/// (<see cref="SpaceCount"/> of them), so that a change to a kernel entry can be written into every one.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VmmState
{
    public const uint ExpectedMagic = 0x4D4D5656; // "VVMM"
    public const uint PagingOnFlag = 1;
    public const uint RegistryOffset = 64;
    public const uint RegistryCapacity = (Frames.Size - RegistryOffset) / sizeof(uint);

    public uint Magic;
    public int Lock; // the VMM's lock word (VmmLock): 0 free, 1 held
    public uint KernelDirectory;
    public uint CurrentDirectory;
    public uint ScratchTable;
    public uint Flags;
    public uint LargePageAddressBits;
    public uint SpaceCount;
}
