using MioOS.Memory.Platform;

namespace MioOS.Memory.Boot;

/// <summary>
/// The multiboot2 information (spec section 3.6): <c>u32 total_size, u32 reserved</c>, then tags
/// <c>{u32 type, u32 size}</c> at 8-byte-aligned offsets until the end tag (type 0).
/// </summary>
internal static class Multiboot2Reader
{
    private const uint TagEnd = 0, TagCommandLine = 1, TagLoaderName = 2, TagModule = 3, TagBasicMemInfo = 4, TagMemoryMap = 6;
    private const uint HeaderSize = 8, TagHeaderSize = 8;

    /// <summary>A memory-map entry: <c>u64 base, u64 length, u32 type, u32 reserved</c>.</summary>
    private const uint MinEntrySize = 24;

    public static BootInfoResult Read(in MemoryWindow window, ulong info, ref BootInfoSink sink)
    {
        if ((info & 7) != 0)
            return new BootInfoResult(BootInfoStatus.InfoMisaligned, info, info & 7);
        if (!window.Contains(info, HeaderSize))
            return new BootInfoResult(BootInfoStatus.InfoOutsideMemory, info, HeaderSize);
        uint total = window.Read<uint>(info);
        if (total < HeaderSize + TagHeaderSize)
            return new BootInfoResult(BootInfoStatus.InfoTooSmall, info, total);
        if (!window.Contains(info, total))
            return new BootInfoResult(BootInfoStatus.InfoOutsideMemory, info, total);
        sink.Info.Protocol = BootProtocol.Multiboot2;
        sink.Info.InfoAddress = info;
        sink.Info.InfoLength = total;
        BootInfoResult r = sink.AddRegion(info, total, ReservedKind.InfoBlock);

        bool haveMap = false;
        ulong basicMemTag = 0;
        ulong end = info + total;
        for (ulong tag = info + HeaderSize; r.IsOk; tag = (tag + 7) & ~7ul)
        {
            // The last tag may end in the block's final 1-7 bytes (total_size need not be a multiple of 8): the
            // next tag's aligned start then lies past the end, so test that before subtracting.
            if (tag >= end)
                return new BootInfoResult(BootInfoStatus.NoEndTag, end, 0);
            if (end - tag < TagHeaderSize)
                return new BootInfoResult(BootInfoStatus.TagTruncated, tag, end - tag);
            uint type = window.Read<uint>(tag);
            uint size = window.Read<uint>(tag + 4);
            if (size < TagHeaderSize)
                return new BootInfoResult(BootInfoStatus.TagTruncated, tag, size);
            if (size > end - tag)
                return new BootInfoResult(BootInfoStatus.TagPastEnd, tag, size);
            switch (type)
            {
                case TagEnd:
                    if (haveMap)
                        return BootInfoResult.Ok;
                    if (basicMemTag != 0)
                        return sink.AddBasicMemInfo(basicMemTag, window.Read<uint>(basicMemTag + 8), window.Read<uint>(basicMemTag + 12));
                    return new BootInfoResult(BootInfoStatus.NoMemoryMap, info, total);
                case TagCommandLine:
                    r = TagString(window, tag, tag + TagHeaderSize, size, out sink.Info.CommandLine, out sink.Info.CommandLineLength);
                    break;
                case TagLoaderName:
                    r = TagString(window, tag, tag + TagHeaderSize, size, out sink.Info.LoaderName, out sink.Info.LoaderNameLength);
                    break;
                case TagModule:
                    r = ReadModule(window, tag, size, ref sink);
                    break;
                case TagBasicMemInfo:
                    if (size < 16)
                        return new BootInfoResult(BootInfoStatus.TagTruncated, tag, size);
                    basicMemTag = tag;
                    break;
                case TagMemoryMap:
                    r = ReadMap(window, tag, size, ref sink);
                    haveMap = true;
                    break;
            }
            tag += size;
        }
        return r;
    }

    private static BootInfoResult ReadMap(in MemoryWindow window, ulong tag, uint size, ref BootInfoSink sink)
    {
        if (size < 16)
            return new BootInfoResult(BootInfoStatus.TagTruncated, tag, size);
        uint entrySize = window.Read<uint>(tag + 8);
        if (entrySize < MinEntrySize)
            return new BootInfoResult(BootInfoStatus.EntrySizeTooSmall, tag, entrySize);
        ulong end = tag + size;
        for (ulong entry = tag + 16; entry < end; entry += entrySize)
        {
            if (entrySize > end - entry)
                return new BootInfoResult(BootInfoStatus.EntryPastEnd, entry, entrySize);
            BootInfoResult r = sink.AddEntry(entry, window.Read<ulong>(entry), window.Read<ulong>(entry + 8), window.Read<uint>(entry + 16));
            if (!r.IsOk)
                return r;
        }
        return BootInfoResult.Ok;
    }

    private static BootInfoResult ReadModule(in MemoryWindow window, ulong tag, uint size, ref BootInfoSink sink)
    {
        if (size < 17)
            return new BootInfoResult(BootInfoStatus.TagTruncated, tag, size);
        var module = new BootModule { Start = window.Read<uint>(tag + 8), End = window.Read<uint>(tag + 12) };
        if (module.End < module.Start || !window.Contains(module.Start, module.End - module.Start))
            return new BootInfoResult(BootInfoStatus.ModuleInvalid, tag, module.End);
        BootInfoResult r = TagString(window, tag, tag + 16, size, out module.String, out module.StringLength);
        if (r.IsOk)
            r = sink.AddRegion(module.Start, module.End - module.Start, ReservedKind.Module);
        return r.IsOk ? sink.AddModule(tag, module) : r;
    }

    /// <summary>A string inside a tag: it must end with a NUL before the tag does.</summary>
    private static BootInfoResult TagString(in MemoryWindow window, ulong tag, ulong address, uint size, out ulong stringAddress, out uint length)
    {
        stringAddress = address;
        if (!BootStrings.TryMeasure(window, address, tag + size, out length))
            return new BootInfoResult(BootInfoStatus.StringUnterminated, tag, size);
        return BootInfoResult.Ok;
    }
}
