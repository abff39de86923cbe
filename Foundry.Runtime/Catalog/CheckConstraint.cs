namespace Foundry.Runtime;

/// <summary>A CHECK constraint: its name (given or generated, as PostgreSQL names them) and condition's SQL text.</summary>
public sealed record CheckConstraint(string Name, string Sql);
