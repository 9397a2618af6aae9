namespace MioOS.Memory.Cli.Commands;

/// <summary>Exit codes of every command.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command ran and its verdict is negative (a failed self-test, a broken integrity walk).</summary>
    public const int Failed = 1;

    /// <summary>Bad input: a malformed map, boot info or trace, a missing file, a machine that cannot boot.</summary>
    public const int BadInput = 2;
}
