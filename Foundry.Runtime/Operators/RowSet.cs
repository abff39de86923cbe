namespace Foundry.Runtime;

/// <summary>
/// Multisets of row keys for DISTINCT and set operations: how many times each key was added.
/// </summary>
public sealed class RowSet
{
    private readonly Dictionary<object, int> _counts = new();

    /// <summary>Adds one occurrence; true when the key was not present before.</summary>
    public bool Add(object key)
    {
        _counts.TryGetValue(key, out var n);
        _counts[key] = n + 1;
        return n == 0;
    }

    public bool Contains(object key) => _counts.ContainsKey(key);

    /// <summary>Removes one occurrence; true when there was one to remove.</summary>
    public bool TryTake(object key)
    {
        if (!_counts.TryGetValue(key, out var n) || n == 0) return false;
        _counts[key] = n - 1;
        return true;
    }
}
