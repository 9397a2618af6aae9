using System;

namespace MioOS.Memory.Cli.Io;

/// <summary>Bad input from the user (exit code 2); the message says what was wrong in the user's terms.</summary>
internal sealed class UsageException(string message) : Exception(message);
