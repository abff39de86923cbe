using System.CommandLine;
using Foundry.Engine;

namespace Foundry.Cli.Commands;

/// <summary>
/// `foundry explain [DB] --stage ast|bound|logical|optimized|physical|code [--format text|json] "SQL"`: prints one
/// compiler stage of a statement, compiled against a database's catalog or an empty one.
/// </summary>
public static class ExplainCommand
{
    private static readonly string[] Stages = ["ast", "bound", "logical", "optimized", "physical", "code"];

    public static Command Create(CliConsole console)
    {
        // One or two positionals rather than an optional DATABASE argument before SQL: the parser fills arguments
        // greedily from the left, so "explain 'SELECT 1'" would otherwise take the SQL for the database.
        var arguments = new Argument<string[]>("sql")
        {
            Description = "The SQL statement to explain. Given two values, the first is a database file (it must exist) whose tables the statement may use.",
            Arity = new ArgumentArity(1, 2),
        };
        var stage = new Option<string>("--stage", "-s")
        {
            Description = "Which stage to print: the syntax tree, the bound tree, the logical plan, the optimized plan, the physical plan, or the generated code.",
            DefaultValueFactory = _ => "optimized",
        };
        stage.AcceptOnlyFromAmong(Stages);
        var format = new Option<string>("--format") { Description = "Print as indented text or as JSON.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");

        var explain = new Command("explain", "Print how Foundry compiles a statement, stage by stage.") { arguments, stage, format };
        explain.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var positionals = parse.GetValue(arguments)!;
            var (path, sql) = positionals.Length == 2 ? (positionals[0], positionals[1]) : (null, positionals[0]);
            if (path is not null && !File.Exists(path)) throw new CommandException($"no such database: {path}");
            using var db = path is null ? null : CommandRunner.Open(path);
            var text = Explainer.Explain(db, sql, ParseStage(parse.GetValue(stage)!), parse.GetValue(format) == "json" ? ExplainFormat.Json : ExplainFormat.Text);
            console.Out.WriteLine(text.TrimEnd('\n'));
            return CommandRunner.Success;
        }));
        return explain;
    }

    private static ExplainStage ParseStage(string stage) => stage switch
    {
        "ast" => ExplainStage.Ast,
        "bound" => ExplainStage.Bound,
        "logical" => ExplainStage.Logical,
        "optimized" => ExplainStage.Optimized,
        "physical" => ExplainStage.Physical,
        _ => ExplainStage.Code,
    };
}
