using System.CommandLine;
using Foundry.Cli.Shell;
using Foundry.Engine;
using Spectre.Console;

namespace Foundry.Cli.Commands;

/// <summary>
/// `foundry shell [DB] [--init FILE]`: the interactive SQL shell. With a terminal it edits lines with RadLine; with
/// redirected input it reads statements from standard input without prompts, so it can be scripted.
/// </summary>
public static class ShellCommand
{
    public static Command Create(CliConsole console)
    {
        var database = new Argument<string?>("database")
        {
            Description = "Path of the database file, created if it does not exist. Without it, a temporary database is used and discarded on exit.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var init = new Option<string?>("--init")
        {
            Description = "A SQL script to run first when the database is new (has no tables), e.g. to load example data.",
            HelpName = "FILE",
        };

        var shell = new Command("shell", "Open an interactive SQL shell on a database.") { database, init };
        shell.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var path = parse.GetValue(database);
            var initFile = parse.GetValue(init);
            if (initFile is not null && !File.Exists(initFile)) throw new CommandException($"no such file: {initFile}");
            using var db = path is null ? Database.OpenTemporary() : CommandRunner.Open(console, path);
            return Run(console, db, initFile);
        }));
        return shell;
    }

    private static int Run(CliConsole console, Database db, string? initFile)
    {
        var ansi = console.CreateAnsiOut();
        using var session = db.OpenSession();
        var shell = new ShellSession(db, session, ansi);

        if (initFile is not null && db.Tables.Count == 0)
        {
            shell.RunSql(File.ReadAllText(initFile));
            if (shell.ErrorCount > 0) return CommandRunner.Failure;
        }

        var useEditor = console.IsInteractive && EditorLineSource.IsSupported(ansi);
        if (useEditor)
        {
            ansi.MarkupLine(db.IsTemporary
                ? "Foundry shell on a [yellow]temporary database, discarded on exit[/]."
                : $"Foundry shell on [green]{Markup.Escape(db.Path)}[/].");
            ansi.MarkupLine("Enter SQL ending with ';', or [blue].help[/] for commands.");
        }
        ILineSource lines = useEditor ? new EditorLineSource(ansi) : new PlainLineSource(console.In);
        // At a terminal, Ctrl+C cancels the running statement (FND5701) instead of ending the shell;
        // with no statement running it does nothing. Scripted runs keep the default (Ctrl+C ends them).
        using (useEditor ? console.OnInterrupt(session.Cancel) : null)
        {
            shell.Run(new StatementReader(lines));
        }

        // Scripted runs report failures through the exit code; at a terminal every error was already shown.
        return !useEditor && shell.ErrorCount > 0 ? CommandRunner.Failure : CommandRunner.Success;
    }
}
