namespace Foundry.Cli.Shell;

/// <summary>One unit of shell input: a dot-command line, or the text of one or more complete SQL statements.</summary>
public abstract record ShellInput
{
    public sealed record DotCommand(string Line) : ShellInput;

    public sealed record Sql(string Text) : ShellInput;
}
