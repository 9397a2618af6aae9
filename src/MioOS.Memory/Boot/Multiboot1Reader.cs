using MioOS.Memory.Platform;

namespace MioOS.Memory.Boot;

/// <summary>The multiboot 0.6.96 info struct (section 3.3 of the spec): flags say which fields are valid.</summary>
internal static class Multiboot1Reader
{
    public const uint InfoSize = 116;
    private const uint FlagMem = 1u << 0, FlagCmdline = 1u << 2, FlagMods = 1u << 3, FlagMmap = 1u << 6, FlagLoaderName = 1u << 9;
    private const uint OffsetMemLower = 4, OffsetMemUpper = 8, OffsetCmdline = 16, OffsetModsCount = 20, OffsetModsAddr = 24;
    private const uint OffsetMmapLength = 44, OffsetMmapAddr = 48, OffsetLoaderName = 64;
    private const uint ModuleEntrySize = 16;

    /// <summary>An mmap entry: <c>u32 size</c> (not counting itself), <c>u64 base, u64 length, u32 type</c>.</summary>
    private const uint MinEntrySize = 20;

    public static BootInfoResult Read(in MemoryWindow window, ulong info, ref BootInfoSink sink)
    {
        if (!window.Contains(info, InfoSize))
            return new BootInfoResult(BootInfoStatus.InfoOutsideMemory, info, InfoSize);
        sink.Info.Protocol = BootProtocol.Multiboot1;
        sink.Info.InfoAddress = info;
        sink.Info.InfoLength = InfoSize;
        BootInfoResult r = sink.AddRegion(info, InfoSize, ReservedKind.InfoBlock);
        if (!r.IsOk)
            return r;
        uint flags = window.Read<uint>(info);

        if ((flags & FlagCmdline) != 0)
        {
            r = ReadString(window, info + OffsetCmdline, ReservedKind.CommandLine, ref sink, out sink.Info.CommandLine, out sink.Info.CommandLineLength);
            if (!r.IsOk)
                return r;
        }
        if ((flags & FlagLoaderName) != 0)
        {
            r = ReadString(window, info + OffsetLoaderName, ReservedKind.LoaderName, ref sink, out sink.Info.LoaderName, out sink.Info.LoaderNameLength);
            if (!r.IsOk)
                return r;
        }
        if ((flags & FlagMods) != 0)
        {
            r = ReadModules(window, info, ref sink);
            if (!r.IsOk)
                return r;
        }
        if ((flags & FlagMmap) != 0)
            return ReadMap(window, info, ref sink);
        if ((flags & FlagMem) != 0)
            return sink.AddBasicMemInfo(info + OffsetMemLower, window.Read<uint>(info + OffsetMemLower), window.Read<uint>(info + OffsetMemUpper));
        return new BootInfoResult(BootInfoStatus.NoMemoryMap, info, flags);
    }

    private static BootInfoResult ReadMap(in MemoryWindow window, ulong info, ref BootInfoSink sink)
    {
        uint length = window.Read<uint>(info + OffsetMmapLength);
        ulong start = window.Read<uint>(info + OffsetMmapAddr);
        if (!window.Contains(start, length))
            return new BootInfoResult(BootInfoStatus.MapOutsideMemory, start, length);
        BootInfoResult r = sink.AddRegion(start, length, ReservedKind.MemoryMap);
        if (!r.IsOk)
            return r;
        ulong end = start + length;
        for (ulong entry = start; entry < end;)
        {
            if (end - entry < 4)
                return new BootInfoResult(BootInfoStatus.EntryPastEnd, entry, end - entry);
            uint size = window.Read<uint>(entry);
            if (size < MinEntrySize)
                return new BootInfoResult(BootInfoStatus.EntrySizeTooSmall, entry, size);
            if ((ulong)size + 4 > end - entry)
                return new BootInfoResult(BootInfoStatus.EntryPastEnd, entry, size);
            r = sink.AddEntry(entry, window.Read<ulong>(entry + 4), window.Read<ulong>(entry + 12), window.Read<uint>(entry + 20));
            if (!r.IsOk)
                return r;
            entry += (ulong)size + 4;
        }
        return BootInfoResult.Ok;
    }

    private static BootInfoResult ReadModules(in MemoryWindow window, ulong info, ref BootInfoSink sink)
    {
        uint count = window.Read<uint>(info + OffsetModsCount);
        if (count == 0)
            return BootInfoResult.Ok; // QEMU sets the flag with mods_count = 0 and mods_addr pointing elsewhere
        ulong list = window.Read<uint>(info + OffsetModsAddr);
        ulong listLength = (ulong)count * ModuleEntrySize;
        if (!window.Contains(list, listLength))
            return new BootInfoResult(BootInfoStatus.ModuleListOutsideMemory, list, count);
        BootInfoResult r = sink.AddRegion(list, listLength, ReservedKind.ModuleList);
        for (ulong entry = list; r.IsOk && entry < list + listLength; entry += ModuleEntrySize)
        {
            var module = new BootModule { Start = window.Read<uint>(entry), End = window.Read<uint>(entry + 4) };
            if (module.End < module.Start || !window.Contains(module.Start, module.End - module.Start))
                return new BootInfoResult(BootInfoStatus.ModuleInvalid, entry, module.End);
            r = ReadString(window, entry + 8, ReservedKind.ModuleString, ref sink, out module.String, out module.StringLength);
            if (r.IsOk)
                r = sink.AddRegion(module.Start, module.End - module.Start, ReservedKind.Module);
            if (r.IsOk)
                r = sink.AddModule(entry, module);
        }
        return r;
    }

    /// <summary>Reads the string whose address is stored at <paramref name="field"/> and reserves it with its NUL.</summary>
    private static BootInfoResult ReadString(in MemoryWindow window, ulong field, ReservedKind kind, ref BootInfoSink sink, out ulong address, out uint length)
    {
        address = window.Read<uint>(field);
        if (!BootStrings.TryMeasure(window, address, ulong.MaxValue, out length))
            return new BootInfoResult(BootInfoStatus.StringUnterminated, address, field);
        return sink.AddRegion(address, (ulong)length + 1, kind);
    }
}
