using Foundry.Runtime;

namespace Foundry.Engine;

/// <summary>
/// Rows already produced and kept as values: the RETURNING rows of a change, which are complete
/// before the statement commits (the change and its rows are one atomic step).
/// </summary>
internal sealed class BufferedRows(List<object?[]> rows, IReadOnlyList<SqlType> types) : IRowSource
{
    private int _next;

    public OutputRow Current { get; } = new(types.Count);

    /// <summary>A copy of an output row's values (long, double, string, bool, byte[] or null by type).</summary>
    public static object?[] Snapshot(OutputRow row, IReadOnlyList<SqlType> types)
    {
        var values = new object?[types.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = row.IsNull(i) ? null : types[i] switch
            {
                SqlType.Real => row.GetDouble(i),
                SqlType.Text or SqlType.Blob => row.References[i],
                SqlType.Boolean => row.GetBoolean(i),
                _ => row.GetInt64(i),
            };
        }
        return values;
    }

    public bool MoveNext()
    {
        if (_next >= rows.Count) return false;
        var values = rows[_next++];
        for (var i = 0; i < values.Length; i++)
        {
            Current.Nulls[i] = values[i] is null;
            switch (values[i])
            {
                case long l: Current.Int64s[i] = l; break;
                case double d: Current.Doubles[i] = d; break;
                case bool b: Current.Int64s[i] = b ? 1 : 0; break;
                default: Current.References[i] = values[i]; break;
            }
        }
        return true;
    }

    public void Dispose() { }
}
