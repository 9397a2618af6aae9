using System.Collections.Generic;
using System.CommandLine;
using System.Linq;
using MioOS.Memory.Cli.Io;
using MioOS.Memory.Hosting.Cpu;
using MioOS.Memory.Platform;

namespace MioOS.Memory.Cli.Commands;

/// <summary>
/// The <c>--cpu</c> option: QEMU's model names, the same vocabulary as <c>mioos-mm qemu --cpu</c>. The simulated
/// CPU reports what QEMU's i386 model of that name reports for paging: PSE, PSE-36, PGE and MAXPHYADDR (36 on
/// qemu-system-i386, which has no leaf 0x80000008 for these models).
/// </summary>
internal sealed class PagingOptions
{
    /// <summary>The models, in the order help lists them.</summary>
    public static readonly IReadOnlyList<CpuModel> Models =
    [
        CpuModel.Qemu32,
        new("486", CpuFeatureFlags.Pse, 36),
        new("pentium", CpuFeatureFlags.Pse, 36),
        new("pentium2", CpuFeatureFlags.Pse | CpuFeatureFlags.Pge, 36),
        new("pentium3", CpuFeatureFlags.Pse | CpuFeatureFlags.Pge, 36),
        new("coreduo", CpuFeatureFlags.Pse | CpuFeatureFlags.Pge, 36),
        new("n270", CpuFeatureFlags.Pse | CpuFeatureFlags.Pge, 36),
        CpuModel.Max36 with { Name = "max" },
    ];

    /// <summary>The model names, for help and completion.</summary>
    public static string Names => string.Join(", ", Models.Select(m => m.Name));

    public Option<string> Cpu { get; } = new("--cpu")
    {
        Description = $"CPU model, as QEMU's -cpu: {Names} (only max has PSE-36, so only it maps memory above 4 GiB)",
        DefaultValueFactory = _ => "qemu32",
        HelpName = "MODEL",
    };

    public void AddTo(Command command) => command.Add(Cpu);

    public CpuModel Resolve(ParseResult result) => Find(result.GetValue(Cpu) ?? "qemu32");

    /// <summary>The model named <paramref name="name"/> (QEMU's spelling, any case).</summary>
    public static CpuModel Find(string name) =>
        Models.FirstOrDefault(m => m.Name.Equals(name, System.StringComparison.OrdinalIgnoreCase)) is { Name: not null } model
            ? model
            : throw new UsageException($"--cpu '{name}': not a CPU model this tool simulates; use one of {Names}");
}
