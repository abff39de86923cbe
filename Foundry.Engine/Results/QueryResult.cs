using Foundry.Runtime;

namespace Foundry.Engine;

/// <summary>
/// The result of one statement: for a query, a forward-only stream of typed rows (<see cref="Read"/>
/// then the getters); for other statements, <see cref="RowsAffected"/>. Rows are produced by the
/// statement's compiled delegate as they are read, and the statement's locks are held until the rows
/// are exhausted or the result is disposed; so a session runs one statement at a time, and executing
/// another while this result <see cref="IsOpen"/> is an error (FND5310, see docs/transactions.md).
///
/// Getters never guess: a getter of another type than the column's, or on NULL, throws
/// <see cref="InvalidCastException"/> naming the column and its type (test <see cref="IsNull"/> first).
/// </summary>
public sealed class QueryResult : IDisposable
{
    private readonly IRowSource? _rows;
    private bool _onRow;
    private bool _finished;

    internal QueryResult(IReadOnlyList<string> columnNames, IReadOnlyList<SqlType> columnTypes, IRowSource? rows, long rowsAffected, string statementKind)
    {
        ColumnNames = columnNames;
        ColumnTypes = columnTypes;
        _rows = rows;
        _finished = rows is null;
        RowsAffected = rowsAffected;
        StatementKind = statementKind;
    }

    public IReadOnlyList<string> ColumnNames { get; }
    public IReadOnlyList<SqlType> ColumnTypes { get; }
    public int FieldCount => ColumnNames.Count;

    /// <summary>True for a query (its rows are read with <see cref="Read"/>).</summary>
    public bool ReturnsRows => _rows is not null;

    /// <summary>True while rows may remain: neither read to the end nor disposed (the statement still holds its locks).</summary>
    public bool IsOpen => !_finished;

    /// <summary>Rows inserted, updated or deleted by a statement (also when it returns rows with RETURNING); -1 for a query.</summary>
    public long RowsAffected { get; }

    /// <summary>What ran, as a command tag: SELECT, INSERT, CREATE TABLE, DROP TABLE.</summary>
    public string StatementKind { get; }

    /// <summary>Advances to the next row; false when there are no more (always false for a statement).</summary>
    public bool Read()
    {
        if (_finished) return _onRow = false;
        try
        {
            _onRow = _rows!.MoveNext();
        }
        catch
        {
            _onRow = false;
            _finished = true;
            throw;
        }
        _finished = !_onRow;
        return _onRow;
    }

    public bool IsNull(int ordinal) => CurrentRow(ordinal).IsNull(ordinal);

    /// <summary>DBNull's spelling of <see cref="IsNull"/>.</summary>
    public bool IsDBNull(int ordinal) => IsNull(ordinal);

    public long GetInt64(int ordinal) => Value(ordinal, SqlType.Integer).GetInt64(ordinal);
    public double GetDouble(int ordinal) => Value(ordinal, SqlType.Real).GetDouble(ordinal);
    public string GetString(int ordinal) => Value(ordinal, SqlType.Text).GetText(ordinal);
    public bool GetBoolean(int ordinal) => Value(ordinal, SqlType.Boolean).GetBoolean(ordinal);
    public byte[] GetBytes(int ordinal) => Value(ordinal, SqlType.Blob).GetBlob(ordinal);

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

    /// <summary>The current row, after checking that column <paramref name="ordinal"/> is of <paramref name="getter"/>'s type and not NULL.</summary>
    private OutputRow Value(int ordinal, SqlType getter)
    {
        var row = CurrentRow(ordinal);
        var actual = ColumnTypes[ordinal];
        if (actual != getter && actual != SqlType.Null)
            throw new InvalidCastException(
                $"column {ordinal} (\"{ColumnNames[ordinal]}\") is {actual.Display()}, not {getter.Display()}: read it with {GetterOf(actual)}");
        if (row.IsNull(ordinal))
            throw new InvalidCastException(
                $"column {ordinal} (\"{ColumnNames[ordinal]}\") is NULL in this row: test IsNull({ordinal}) before {GetterOf(getter)}");
        return row;
    }

    private static string GetterOf(SqlType type) => type switch
    {
        SqlType.Integer => nameof(GetInt64),
        SqlType.Real => nameof(GetDouble),
        SqlType.Text => nameof(GetString),
        SqlType.Boolean => nameof(GetBoolean),
        SqlType.Blob => nameof(GetBytes),
        _ => nameof(GetValue),
    };

    private OutputRow CurrentRow(int ordinal)
    {
        if (_rows is null) throw new InvalidOperationException($"this statement ({StatementKind}) returns no rows");
        if (!_onRow) throw new InvalidOperationException("there is no current row: call Read() and use the getters only while it returns true");
        if ((uint)ordinal >= (uint)FieldCount)
            throw new IndexOutOfRangeException($"column {ordinal} does not exist: the result has {FieldCount} column(s), numbered from 0");
        return _rows.Current;
    }

    public void Dispose()
    {
        _finished = true;
        _onRow = false;
        _rows?.Dispose();
    }
}
