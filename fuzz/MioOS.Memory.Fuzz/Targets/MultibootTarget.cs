using MioOS.Memory.Boot;
using MioOS.Memory.Hosting.Boot;

namespace MioOS.Memory.Fuzz.Targets;

/// <summary>
/// The multiboot1 or multiboot2 reader through the path the kernel takes: the input (a <see cref="BootImage"/>) laid
/// in simulated RAM, EAX = the protocol's magic, EBX = the first record's address, then
/// <see cref="MultibootParser.Parse"/> and, when it answers Ok, the sanitiser on the raw map. The core never throws:
/// any exception is a finding, and so is a read outside the structures the block points to (see
/// <see cref="CheckedBootRam"/>) and a reported range outside memory.
/// </summary>
public sealed class MultibootTarget(BootProtocol protocol) : FuzzTarget
{
    /// <summary>The parser's buffers, as the simulated PC gives them.</summary>
    public const int MaxMapEntries = MemoryMapSanitizer.MaxEntries, MaxModules = 64, MaxRegions = 256;

    private readonly MemoryMapEntry[] _map = new MemoryMapEntry[MaxMapEntries];
    private readonly BootModule[] _modules = new BootModule[MaxModules];
    private readonly ReservedRange[] _regions = new ReservedRange[MaxRegions];
    private CheckedBootRam? _ram;

    public BootProtocol Protocol { get; } = protocol;

    public override string Name => Protocol == BootProtocol.Multiboot1 ? "mb1" : "mb2";

    public override string Description =>
        $"multiboot{(Protocol == BootProtocol.Multiboot1 ? 1 : 2)} info block in simulated RAM -> MultibootParser.Parse -> MemoryMapSanitizer";

    public override IReadOnlyList<(string Assembly, string[] Prefixes)> Instrument { get; } =
        [("MioOS.Memory.dll", ["MioOS.Memory.Boot"])];

    public uint Magic => Protocol == BootProtocol.Multiboot1 ? MultibootParser.Multiboot1Magic : MultibootParser.Multiboot2Magic;

    public override void Run(ReadOnlySpan<byte> input) => Parse(input.ToArray(), out _);

    /// <summary>Parses one image and checks the oracle; returns the parser's answer.</summary>
    public BootInfoResult Parse(byte[] image, out BootInfo info)
    {
        _ram ??= new CheckedBootRam();
        uint ebx = _ram.Load(image);
        _ram.Allow(Protocol, ebx);
        BootInfoResult r = MultibootParser.Parse(_ram.Window, Magic, ebx, _map, _modules, _regions, out info);
        if (r.Status == BootInfoStatus.UnknownMagic || !Enum.IsDefined(r.Status))
            throw new FuzzFinding($"the parser answered {r.Status} for magic 0x{Magic:X8}");
        if (info.MapEntryCount > _map.Length || info.ModuleCount > _modules.Length || info.RegionCount > _regions.Length)
            throw new FuzzFinding($"counts past the buffers: {info.MapEntryCount} entries, {info.ModuleCount} modules, {info.RegionCount} regions");
        for (int i = 0; i < info.RegionCount; i++)
        {
            ReservedRange g = _regions[i];
            if (g.Length == 0 || !_ram.Window.Contains(g.Base, g.Length))
                throw new FuzzFinding($"reported range {i} ({g.Kind}) at 0x{g.Base:X} +0x{g.Length:X} is empty or outside memory");
        }
        if (r.IsOk)
            MapContract.CheckSanitised(_map.AsSpan(0, info.MapEntryCount));
        return r;
    }

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds(string dataRoot)
    {
        string prefix = Protocol == BootProtocol.Multiboot1 ? "mb1-" : "mb2-";
        foreach (string file in Directory.GetFiles(Path.Combine(dataRoot, "bootinfo"), prefix + "*.txt").Order(StringComparer.Ordinal))
            yield return (Path.GetFileNameWithoutExtension(file) + ".bin", BootImage.FromCapture(BootInfoCapture.Load(file)));
    }
}
