using System;
using System.CommandLine;
using MioOS.Memory.Hosting.Cpu;

namespace MioOS.Memory.Cli.Commands;

/// <summary>The <c>--cpu</c> option of the commands that turn paging on.</summary>
internal sealed class PagingOptions
{
    public Option<string> Cpu { get; } = new("--cpu")
    {
        Description = "simulated CPU: qemu32 (default: PSE, PGE, no PSE-36), max36 / max40 (PSE-36, MAXPHYADDR 36 / 40), 486 (no PSE)",
        DefaultValueFactory = _ => "qemu32",
    };

    public void AddTo(Command command) => command.Add(Cpu);

    public CpuModel Resolve(ParseResult result)
    {
        string name = result.GetValue(Cpu) ?? "qemu32";
        return name.ToLowerInvariant() switch
        {
            "qemu32" => CpuModel.Qemu32,
            "max36" or "max" or "max-36" => CpuModel.Max36,
            "max40" or "max-40" => CpuModel.Max40,
            "486" or "nopse" => CpuModel.NoPse,
            _ => throw new ArgumentException($"--cpu {name}: known CPUs are qemu32, max36, max40, 486"),
        };
    }
}
