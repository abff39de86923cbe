namespace Foundry.Cli.Commands;

/// <summary>A failure the user can fix (bad flags, a missing file), reported as "foundry: message" with exit code 1.</summary>
public sealed class CommandException(string message) : Exception(message);
