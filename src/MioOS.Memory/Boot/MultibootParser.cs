using System;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Boot;

/// <summary>
/// Reads the boot information a multiboot loader hands the kernel (EAX = magic, EBX = info address) through the
/// memory window, refusing anything malformed with a status and the address of the fault. Nothing outside the
/// structures the block points to is read.
/// </summary>
public static class MultibootParser
{
    /// <summary>EAX after a multiboot1 loader (QEMU <c>-kernel</c>).</summary>
    public const uint Multiboot1Magic = 0x2BADB002;

    /// <summary>EAX after a multiboot2 loader (GRUB <c>multiboot2</c>).</summary>
    public const uint Multiboot2Magic = 0x36D76289;

    /// <summary>
    /// Parses the block. Raw map entries go to <paramref name="map"/> (sanitise them next), modules to
    /// <paramref name="modules"/>, and every range the loader wrote (to be reserved) to <paramref name="regions"/>.
    /// </summary>
    public static BootInfoResult Parse(in MemoryWindow window, uint magic, uint infoAddress,
        Span<MemoryMapEntry> map, Span<BootModule> modules, Span<ReservedRange> regions, out BootInfo info)
    {
        var sink = new BootInfoSink(map, modules, regions);
        BootInfoResult result;
        if (magic == Multiboot1Magic)
            result = Multiboot1Reader.Read(window, infoAddress, ref sink);
        else if (magic == Multiboot2Magic)
            result = Multiboot2Reader.Read(window, infoAddress, ref sink);
        else
            result = new BootInfoResult(BootInfoStatus.UnknownMagic, infoAddress, magic);
        info = sink.Info;
        return result;
    }
}
