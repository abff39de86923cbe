using Foundry.Runtime;

namespace Foundry.Engine;

/// <summary>
/// The result of one statement: for a query, a forward-only stream of typed rows (<see cref="Read"/>
/// then the getters); for other statements, <see cref="RowsAffected"/>. Rows are produced by the
/// statement's compiled delegate as they are read, so a result must be read or disposed before the
/// session runs its next statement.
/// </summary>
public sealed class QueryResult : IDisposable
{
    private readonly IRowSource? _rows;

    internal QueryResult(IReadOnlyList<string> columnNames, IReadOnlyList<SqlType> columnTypes, IRowSource? rows, long rowsAffected, string statementKind)
    {
        ColumnNames = columnNames;
        ColumnTypes = columnTypes;
        _rows = rows;
        RowsAffected = rowsAffected;
        StatementKind = statementKind;
    }

    public IReadOnlyList<string> ColumnNames { get; }
    public IReadOnlyList<SqlType> ColumnTypes { get; }
    public int FieldCount => ColumnNames.Count;

    /// <summary>True for a query (its rows are read with <see cref="Read"/>).</summary>
    public bool ReturnsRows => _rows is not null;

    /// <summary>Rows inserted, updated or deleted by a statement (also when it returns rows with RETURNING); -1 for a query.</summary>
    public long RowsAffected { get; }

    /// <summary>What ran, as a command tag: SELECT, INSERT, CREATE TABLE, DROP TABLE.</summary>
    public string StatementKind { get; }

    /// <summary>Advances to the next row; false when there are no more (always false for a statement).</summary>
    public bool Read() => _rows is not null && _rows.MoveNext();

    public bool IsNull(int ordinal) => Current.IsNull(ordinal);
    public long GetInt64(int ordinal) => Current.GetInt64(ordinal);
    public double GetDouble(int ordinal) => Current.GetDouble(ordinal);
    public string GetString(int ordinal) => Current.GetText(ordinal);
    public bool GetBoolean(int ordinal) => Current.GetBoolean(ordinal);
    public byte[] GetBytes(int ordinal) => Current.GetBlob(ordinal);

    /// <summary>The value boxed as long, double, string, bool, byte[] or null, by the column's type.</summary>
    public object? GetValue(int ordinal) => IsNull(ordinal) ? null : ColumnTypes[ordinal] switch
    {
        SqlType.Integer => GetInt64(ordinal),
        SqlType.Real => GetDouble(ordinal),
        SqlType.Text => GetString(ordinal),
        SqlType.Boolean => GetBoolean(ordinal),
        SqlType.Blob => GetBytes(ordinal),
        _ => null,
    };

    private OutputRow Current => _rows?.Current ?? throw new InvalidOperationException("this statement returns no rows");

    public void Dispose() => _rows?.Dispose();
}
