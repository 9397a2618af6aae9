using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MioOS.Memory.Cli.Reports;

/// <summary>How every command prints its <c>--json</c> answer: one indented document per line group.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="node"/> to <paramref name="writer"/> (standard output by default).</summary>
    public static void Write(JsonNode node, TextWriter? writer = null) =>
        (writer ?? Console.Out).WriteLine(node.ToJsonString(Indented));
}
