namespace Foundry.Engine;

/// <summary>The compiler stages `foundry explain` can print.</summary>
public enum ExplainStage
{
    Ast,
    Bound,
    Logical,
    Optimized,
    Physical,
    Code,
}

public enum ExplainFormat
{
    Text,
    Json,

    /// <summary>Graphviz DOT, for the plan stages (logical, optimized, physical).</summary>
    Dot,
}
