using System;

namespace MioOS.Memory.Cli.Explore;

/// <summary>A request the page's API does not carry out: its HTTP status and the one-line message it answers with.</summary>
internal sealed class ApiException(int status, string message) : Exception(message)
{
    /// <summary>400: the request is malformed or asks for something that does not exist.</summary>
    public const int BadRequest = 400;

    /// <summary>409: the machine stopped after a kernel fault; it takes no calls until it is rebooted.</summary>
    public const int Conflict = 409;

    /// <summary>The HTTP status to answer with.</summary>
    public int Status { get; } = status;
}
