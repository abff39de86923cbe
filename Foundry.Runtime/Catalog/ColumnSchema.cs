namespace Foundry.Runtime;

/// <summary>One column of a table as the catalog stores it. Ordinal is the column's position in the record.</summary>
public sealed record ColumnSchema(string Name, SqlType Type, bool NotNull, int Ordinal);
