using System.CommandLine;
using Foundry.Cli.Commands;

namespace Foundry.Cli;

/// <summary>The `foundry` command line: the root command and its subcommands.</summary>
public static class FoundryCli
{
    /// <summary>Parses <paramref name="args"/>, runs the chosen command against <paramref name="console"/> and returns the exit code.</summary>
    public static int Run(string[] args, CliConsole console)
    {
        var root = new RootCommand("Foundry: a relational SQL database engine, compiled query by query.")
        {
            ShellCommand.Create(console),
            ExecCommand.Create(console),
            ExplainCommand.Create(console),
            CheckCommand.Create(console),
            RecoverCommand.Create(console),
        };
        var configuration = new InvocationConfiguration { Output = console.Out, Error = console.Error };
        var exitCode = root.Parse(args).Invoke(configuration);
        console.Out.Flush();
        console.Error.Flush();
        return exitCode;
    }
}
