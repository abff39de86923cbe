using System.CommandLine;
using Foundry.Cli.Output;
using Foundry.Engine;

namespace Foundry.Cli.Commands;

/// <summary>
/// `foundry exec DB (-c SQL | -f FILE | --jsonl) [--format table|csv|json] [--memory-budget SIZE]`: runs a script and
/// prints its results, or serves the JSON-lines protocol on standard input and output.
/// </summary>
public static class ExecCommand
{
    public static Command Create(CliConsole console)
    {
        var database = new Argument<string>("database") { Description = "Path of the database file (created if it does not exist)." };
        var command = new Option<string?>("--command", "-c") { Description = "SQL to run: one or more statements separated by ';'.", HelpName = "SQL" };
        var file = new Option<string?>("--file", "-f") { Description = "A file of SQL statements to run ('-' reads standard input).", HelpName = "FILE" };
        var format = new Option<string>("--format") { Description = "How query results are printed.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var jsonl = new Option<bool>("--jsonl")
        {
            Description = "Serve JSON lines: read {\"sql\": \"...\"} per line on stdin, write one JSON result line per request.",
        };

        var budget = new Option<long?>("--memory-budget")
        {
            Description = "Memory budget of each statement's sorts and hash tables (bytes, or with a K, M or G suffix); beyond it they spill to temporary files.",
            HelpName = "SIZE",
            CustomParser = MemoryBudgetOption.Parse,
        };

        var exec = new Command("exec", "Run SQL against a database: a script (-c or -f), or requests as JSON lines (--jsonl).")
        {
            database, command, file, format, jsonl, budget,
        };
        exec.Validators.Add(result =>
        {
            var modes = (result.GetValue(command) is null ? 0 : 1) + (result.GetValue(file) is null ? 0 : 1) + (result.GetValue(jsonl) ? 1 : 0);
            if (modes != 1) result.AddError("give exactly one of -c SQL, -f FILE or --jsonl");
        });
        exec.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var path = parse.GetValue(database)!;
            var memory = parse.GetValue(budget);
            if (parse.GetValue(jsonl)) return ServeJsonLines(console, path, memory);
            var fileName = parse.GetValue(file);
            var sql = fileName is null ? parse.GetValue(command)! : ReadScript(console, fileName);
            return RunScript(console, path, sql, fileName, parse.GetValue(format)!, memory);
        }));
        return exec;
    }

    private static int ServeJsonLines(CliConsole console, string path, long? memoryBudget)
    {
        using var db = CommandRunner.Open(console, path);
        using var session = db.OpenSession();
        session.OperatorMemoryBytes = memoryBudget;
        var requests = console.InputBytes is { } bytes ? RequestLines.Read(bytes) : RequestLines.Read(console.In);
        JsonLinesProtocol.Serve(session, requests, console.Out);
        return CommandRunner.Success;
    }

    private static string ReadScript(CliConsole console, string fileName)
    {
        if (fileName == "-") return console.In.ReadToEnd();
        if (!File.Exists(fileName)) throw new CommandException($"no such file: {fileName}");
        return File.ReadAllText(fileName);
    }

    private static int RunScript(CliConsole console, string path, string sql, string? fileName, string format, long? memoryBudget)
    {
        using var db = CommandRunner.Open(console, path);
        using var session = db.OpenSession();
        session.OperatorMemoryBytes = memoryBudget;
        var ansi = format == "table" ? console.CreateAnsiOut() : null;
        var firstQuery = true;
        try
        {
            foreach (var result in session.ExecuteScript(sql))
            {
                using (result)
                {
                    switch (format)
                    {
                        case "table": ResultTableWriter.Write(ansi!, result); break;
                        case "csv" when result.ReturnsRows:
                            if (!firstQuery) console.Out.Write("\r\n");
                            CsvResultWriter.Write(console.Out, result);
                            firstQuery = false;
                            break;
                        case "json" when result.ReturnsRows: JsonResultWriter.Write(console.Out, result); break;
                    }
                }
            }
        }
        catch (FoundryException e)
        {
            console.Out.Flush();
            console.Error.WriteLine(ScriptError(e, fileName));
            return CommandRunner.Failure;
        }
        return CommandRunner.Success;
    }

    /// <summary>The rendered error, prefixed with the script's file name ("shop.sql:3:17: error ...") when it came from one.</summary>
    public static string ScriptError(FoundryException e, string? fileName) =>
        fileName is null or "-" ? e.Rendered
        : e.Line is null ? $"{fileName}: {e.Rendered}"
        : $"{fileName}:{e.Rendered}";
}
