namespace Foundry.Runtime;

/// <summary>
/// Hash keys for joins, grouping, DISTINCT and set operations, built by generated code from a row's
/// values. A one-column key is the boxed value itself; wider keys are a <see cref="CompositeKey"/>.
/// SQL NULL is <see cref="Null"/>, which equals itself: GROUP BY, DISTINCT and set operations treat
/// NULLs as equal. Joins never look up a key with a NULL part (NULL = NULL is not true). A BLOB is a
/// byte array, which .NET compares by reference, so a one-column BLOB key is wrapped in a
/// <see cref="CompositeKey"/>, which compares bytes: equal blobs are one key.
/// </summary>
public static class RowKey
{
    public static readonly object Null = new NullMarker();

    public static object Of(long value) => value;
    public static object Of(double value) => value == 0.0 ? 0.0 : value; // -0.0 and 0.0 are one key
    public static object Of(bool value) => value;
    public static object Of(object? value) => value switch
    {
        null => Null,
        byte[] bytes => new CompositeKey([bytes]),
        _ => value,
    };

    public static object Composite(object[] parts) => new CompositeKey(parts);

    private sealed class NullMarker
    {
        public override string ToString() => "NULL";
    }
}

/// <summary>A multi-column key with value equality.</summary>
public sealed class CompositeKey(object[] parts) : IEquatable<CompositeKey>
{
    private readonly object[] _parts = parts;

    /// <summary>The key's values, in column order (spill files write them).</summary>
    internal object[] Parts => _parts;
    private readonly int _hash = ComputeHash(parts);

    private static int ComputeHash(object[] parts)
    {
        var hash = new HashCode();
        foreach (var p in parts)
        {
            if (p is byte[] bytes) hash.AddBytes(bytes);
            else hash.Add(p);
        }
        return hash.ToHashCode();
    }

    public bool Equals(CompositeKey? other)
    {
        if (other is null || other._parts.Length != _parts.Length || other._hash != _hash) return false;
        for (var i = 0; i < _parts.Length; i++)
        {
            var a = _parts[i];
            var b = other._parts[i];
            if (a is byte[] x && b is byte[] y)
            {
                if (!x.AsSpan().SequenceEqual(y)) return false;
            }
            else if (!a.Equals(b)) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as CompositeKey);
    public override int GetHashCode() => _hash;
}
