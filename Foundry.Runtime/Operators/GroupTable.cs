namespace Foundry.Runtime;

/// <summary>
/// Hash aggregation state: group key -> group number, with the groups' key values and accumulators
/// in a <see cref="ColumnBuffer"/> row per group (columns laid out by the code generator). Also serves
/// DISTINCT-aggregate bookkeeping: the set of values already counted per group and aggregate.
/// </summary>
public sealed class GroupTable(int width)
{
    private readonly Dictionary<object, int> _groups = new();
    private readonly Dictionary<(int Group, int Aggregate), HashSet<object>> _distinct = new();

    public ColumnBuffer Rows { get; } = new(width);
    public int Count => Rows.Count;

    /// <summary>The group's number, or -1 when the key is new.</summary>
    public int Find(object key) => _groups.TryGetValue(key, out var g) ? g : -1;

    /// <summary>Adds a group (its row starts with every column zero and not NULL) and returns its number.</summary>
    public int Add(object key)
    {
        var g = Rows.AddRow();
        _groups[key] = g;
        return g;
    }

    /// <summary>For DISTINCT aggregates: true the first time a value is seen in a group.</summary>
    public bool FirstOccurrence(int group, int aggregate, object value)
    {
        if (!_distinct.TryGetValue((group, aggregate), out var seen)) _distinct[(group, aggregate)] = seen = new HashSet<object>();
        return seen.Add(value);
    }
}
