using Foundry.Compiler;
using Foundry.Runtime;

namespace Foundry.Engine;

/// <summary>Prints any compiler stage of a statement, against a database's catalog or an empty one.</summary>
public static class Explainer
{
    private sealed class EmptyCatalog : ICatalog
    {
        public TableSchema? FindTable(string name) => null;
        public string? FindView(string name) => null;
        public bool IndexExists(string name) => false;
    }

    public static string Explain(Database? db, string sql, ExplainStage stage, ExplainFormat format, CompilerOptions? options = null) =>
        ErrorMapper.Run(sql, () => SqlCompiler.Explain(
            db?.Catalog ?? (ICatalog)new EmptyCatalog(),
            sql,
            stage.ToString().ToLowerInvariant(),
            format.ToString().ToLowerInvariant(),
            options ?? new CompilerOptions()));

    /// <summary>The logical plan after each rule that fired, for `explain --verbose`.</summary>
    public static string ExplainRules(Database? db, string sql, CompilerOptions? options = null) =>
        ErrorMapper.Run(sql, () => SqlCompiler.ExplainRules(db?.Catalog ?? (ICatalog)new EmptyCatalog(), sql, options ?? new CompilerOptions()));

    /// <summary>Every optimizer rule's name, in pipeline order.</summary>
    public static IReadOnlyList<string> RuleNames => SqlCompiler.RuleNames;

    /// <summary>The stages <see cref="ExplainFormat.Dot"/> can draw (the plans), by their lower-case names.</summary>
    public static IReadOnlyList<string> DotStages => SqlCompiler.DotStages;
}
