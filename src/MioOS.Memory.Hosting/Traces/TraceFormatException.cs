using System;

namespace MioOS.Memory.Hosting.Traces;

/// <summary>A trace line that does not follow the format, with its line number.</summary>
public sealed class TraceFormatException : FormatException
{
    /// <summary>The 1-based line number.</summary>
    public long Line { get; }

    /// <summary>Creates the exception.</summary>
    public TraceFormatException(string source, long line, string message)
        : base($"{source}:{line}: {message}") => Line = line;
}
