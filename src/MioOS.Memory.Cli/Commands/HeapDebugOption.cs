using System.CommandLine;
using MioOS.Memory.Heap;

namespace MioOS.Memory.Cli.Commands;

/// <summary><c>--heap-debug</c>: the heap laid with <see cref="HeapOptions.Debug"/> (for the commands that run heap calls).</summary>
internal static class HeapDebugOption
{
    public static Option<bool> Create() => new("--heap-debug")
    {
        Description = "lay the heap with its debug option: a canary after every block's bytes, checked by kfree, krealloc "
            + "and check; freed blocks poisoned and checked when handed out again (blocks grow by 8 bytes)",
    };

    /// <summary>The heap options <paramref name="option"/> asks for.</summary>
    public static HeapOptions Of(ParseResult result, Option<bool> option) =>
        result.GetValue(option) ? HeapOptions.Debug : HeapOptions.None;
}
