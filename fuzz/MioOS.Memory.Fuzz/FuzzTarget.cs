namespace MioOS.Memory.Fuzz;

/// <summary>
/// One fuzz target: a parser fed one input, and an oracle. An input that makes the parser throw anything but its
/// documented exception for bad input, read outside what it was given, or break its documented contract makes
/// <see cref="Run"/> throw (AFL++ records it as a crash); a hang is caught by AFL++'s time limit.
/// </summary>
public abstract class FuzzTarget
{
    /// <summary>The name given on the command line.</summary>
    public abstract string Name { get; }

    /// <summary>One line: what is fuzzed, through which entry point.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// What to instrument: assembly file names, each with the type-name prefixes whose code the fuzzer should see
    /// (empty: the whole assembly).
    /// </summary>
    public abstract IReadOnlyList<(string Assembly, string[] Prefixes)> Instrument { get; }

    /// <summary>Why the target is left out of the short CI run (<c>fuzz/run.sh ci</c>), or null when it is in.</summary>
    public virtual string? NotInShortRun => null;

    /// <summary>Runs one input; throws <see cref="FuzzFinding"/> (or lets an unexpected exception escape) on a finding.</summary>
    public abstract void Run(ReadOnlySpan<byte> input);

    /// <summary>The starting corpus, made from the repository's real data under <paramref name="dataRoot"/>.</summary>
    public abstract IEnumerable<(string Name, byte[] Bytes)> Seeds(string dataRoot);

    /// <summary>Every target, in the order the CI run takes them.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new Targets.MultibootTarget(Boot.BootProtocol.Multiboot1),
        new Targets.MultibootTarget(Boot.BootProtocol.Multiboot2),
        new Targets.MemoryMapTextTarget(),
        new Targets.TraceTarget(),
        new Targets.ShellTarget(),
    ];

    /// <summary>The target called <paramref name="name"/>, or null.</summary>
    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}

/// <summary>The oracle's verdict on an input: a parser broke its contract (a crash for AFL++).</summary>
public sealed class FuzzFinding(string message) : Exception(message);
