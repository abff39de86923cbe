using System.Diagnostics;
using Foundry.Cli.Output;
using Foundry.Engine;
using Spectre.Console;

namespace Foundry.Cli.Shell;

/// <summary>
/// The read-run-print loop of `foundry shell`: runs each statement in one session, draws its result, reports errors
/// (the rendered message with its caret) and carries on, and handles dot-commands.
/// </summary>
public sealed class ShellSession
{
    private readonly Database _db;
    private readonly Session _session;
    private readonly IAnsiConsole _console;
    private bool _timer;
    private bool _quit;

    public ShellSession(Database db, Session session, IAnsiConsole console)
    {
        _db = db;
        _session = session;
        _console = console;
    }

    /// <summary>How many statements failed so far.</summary>
    public int ErrorCount { get; private set; }

    /// <summary>Runs inputs until the end of input or `.quit`.</summary>
    public void Run(StatementReader reader)
    {
        while (!_quit && reader.Next() is { } input)
        {
            switch (input)
            {
                case ShellInput.DotCommand dot: RunDotCommand(dot.Line); break;
                case ShellInput.Sql sql: RunSql(sql.Text); break;
            }
        }
    }

    /// <summary>Runs a script's statements and draws each result; stops at the first error.</summary>
    public void RunSql(string sql)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            foreach (var result in _session.ExecuteScript(sql))
            {
                using (result) ResultTableWriter.Write(_console, result);
            }
        }
        catch (FoundryException e)
        {
            ErrorCount++;
            _console.Write(new Text(e.Rendered + "\n", new Style(Color.Red)));
        }
        catch (Exception e)
        {
            ErrorCount++;
            _console.Write(new Text($"internal error (a Foundry bug): {e.GetType().Name}: {e.Message}\n", new Style(Color.Red)));
        }
        if (_timer) _console.Write(new Text($"Run Time: {clock.Elapsed.TotalSeconds:0.000} s\n", new Style(decoration: Decoration.Dim)));
    }

    private void RunDotCommand(string line)
    {
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var args = words.AsSpan(1);
        switch (words[0].ToLowerInvariant())
        {
            case ".quit" or ".exit": _quit = true; break;
            case ".help": _console.Write(new Text(DotCommands.HelpText)); break;
            case ".tables": DotCommands.Tables(_console, _db); break;
            case ".schema": DotCommands.Schema(_console, _db, args.Length > 0 ? args[0] : null); break;
            case ".timer" when args.Length == 1 && args[0] is "on" or "off": _timer = args[0] == "on"; break;
            case ".timer": Warn("usage: .timer on|off"); break;
            default: Warn($"unknown command {words[0]}; type .help for the list of commands"); break;
        }
    }

    private void Warn(string message) => _console.Write(new Text(message + "\n", new Style(Color.Yellow)));
}
