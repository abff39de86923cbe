namespace Foundry.Cli.Shell;

/// <summary>Where the shell's input lines come from: a line editor at a terminal, or plain standard input.</summary>
public interface ILineSource
{
    /// <summary>The next line, or null at the end of input. <paramref name="continuation"/> is true inside an unfinished statement.</summary>
    string? ReadLine(bool continuation);
}
