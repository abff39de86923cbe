namespace Foundry.Runtime;

/// <summary>
/// The build side of a hash join: the right input's rows materialised in a <see cref="ColumnBuffer"/>
/// and a hash index from join key to row numbers. Rows whose key has a NULL part are kept (an outer
/// join may need to emit them) but never indexed, so they never match. Matched flags serve full
/// outer joins, which emit the build rows that nothing matched after the probe.
/// </summary>
public sealed class JoinTable(int width)
{
    private readonly Dictionary<object, List<int>> _index = new();
    private bool[] _matched = new bool[64];
    private static readonly List<int> NoRows = [];

    public ColumnBuffer Rows { get; } = new(width);

    public void Index(object key, int row)
    {
        if (!_index.TryGetValue(key, out var rows)) _index[key] = rows = new List<int>(1);
        rows.Add(row);
    }

    public List<int> Find(object key) => _index.TryGetValue(key, out var rows) ? rows : NoRows;

    public void MarkMatched(int row)
    {
        if (row >= _matched.Length) Array.Resize(ref _matched, Math.Max(row + 1, _matched.Length * 2));
        _matched[row] = true;
    }

    public bool IsMatched(int row) => row < _matched.Length && _matched[row];
}
