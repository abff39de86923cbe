namespace Foundry.Cli.Shell;

/// <summary>Lines from a redirected standard input: no prompts, no echo, so the shell can be scripted and tested.</summary>
public sealed class PlainLineSource(TextReader input) : ILineSource
{
    public string? ReadLine(bool continuation) => input.ReadLine();
}
