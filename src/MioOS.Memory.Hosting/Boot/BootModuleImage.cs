namespace MioOS.Memory.Hosting.Boot;

/// <summary>A module a simulated loader places in RAM: its bytes and its string.</summary>
public sealed record BootModuleImage(byte[] Data, string String);
