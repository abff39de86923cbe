namespace Foundry.Runtime;

/// <summary>
/// One column of a table as the catalog stores it. Ordinal is the column's position in the record;
/// DefaultSql, when present, is the DEFAULT expression's SQL text (compiled where an INSERT omits the column).
/// </summary>
public sealed record ColumnSchema(string Name, SqlType Type, bool NotNull, int Ordinal, string? DefaultSql = null);
