using System.CommandLine;
using Foundry.Engine;

namespace Foundry.Cli.Commands;

/// <summary>
/// `foundry explain [DB] --stage ast|bound|logical|optimized|physical|code [--format text|json|dot] "SQL"`: prints
/// one compiler stage of a statement, compiled against a database's catalog or an empty one.
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
        var format = new Option<string>("--format")
        {
            Description = "Print as indented text, as JSON, or as a Graphviz graph (dot: the logical, optimized and physical stages; draw it with `dot -Tsvg`).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json", "dot");

        var disable = new Option<string[]>("--disable-rule")
        {
            Description = "Switch off an optimizer rule by name (repeat the option for several), to compare plans with and without it. --list-rules prints the names.",
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print the logical plan after every optimizer rule that fired, instead of one stage." };
        var listRules = new Option<bool>("--list-rules") { Description = "Print the optimizer's rules in the order they run, and exit." };
        var explain = new Command("explain", "Print how Foundry compiles a statement, stage by stage.") { arguments, stage, format, disable, verbose, listRules };
        explain.SetAction(parse => CommandRunner.Run(console, () =>
        {
            if (parse.GetValue(listRules))
            {
                foreach (var rule in Explainer.RuleNames) console.Out.WriteLine(rule);
                return CommandRunner.Success;
            }
            var options = new Foundry.Compiler.CompilerOptions { DisabledRules = parse.GetValue(disable) ?? [] };
            var unknown = options.DisabledRules.Where(r => !Explainer.RuleNames.Contains(r)).ToList();
            if (unknown.Count > 0) throw new CommandException($"unknown rule {string.Join(", ", unknown)}; the rules are: {string.Join(", ", Explainer.RuleNames)}");
            var formatName = parse.GetValue(format)!;
            var stageName = parse.GetValue(stage)!;
            if (formatName == "dot" && !parse.GetValue(verbose) && !Explainer.DotStages.Contains(stageName))
                throw new CommandException($"--format dot draws plans: use it with --stage {string.Join(", ", Explainer.DotStages)}, not {stageName}");
            var positionals = parse.GetValue(arguments)!;
            var (path, sql) = positionals.Length == 2 ? (positionals[0], positionals[1]) : (null, positionals[0]);
            if (path is not null && !File.Exists(path)) throw new CommandException($"no such database: {path}");
            using var db = path is null ? null : CommandRunner.Open(console, path);
            var text = parse.GetValue(verbose)
                ? Explainer.ExplainRules(db, sql, options)
                : Explainer.Explain(db, sql, ParseStage(stageName), ParseFormat(formatName), options);
            console.Out.WriteLine(text.TrimEnd('\n'));
            return CommandRunner.Success;
        }));
        return explain;
    }

    private static ExplainFormat ParseFormat(string format) => format switch
    {
        "json" => ExplainFormat.Json,
        "dot" => ExplainFormat.Dot,
        _ => ExplainFormat.Text,
    };

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
