namespace Foundry.Runtime;

/// <summary>
/// The constants of an IN list, hashed once when a statement is compiled, so that generated code
/// answers <c>x IN (c1, c2, ...)</c> with one lookup per row however long the list is. Equality is
/// SQL's for the type: text compares ordinally (by code unit, as <see cref="Arithmetic.CompareText"/>
/// finds equal), REAL numerically (0.0 equals -0.0, NaN equals nothing). NULL items are not stored:
/// the compiler keeps that fact itself. Called from generated code.
/// </summary>
public abstract class ConstantSet
{
    /// <summary>How many distinct constants the set holds.</summary>
    public abstract int Count { get; }

    /// <inheritdoc />
    public override string ToString() => $"set of {Count} constants";
}

/// <summary>A <see cref="ConstantSet"/> of values of one CLR type (long, double, string or bool).</summary>
public sealed class ConstantSet<T> : ConstantSet where T : notnull
{
    private static readonly IEqualityComparer<T> SqlEquality =
        typeof(T) == typeof(double) ? (IEqualityComparer<T>)(object)new RealEquality()
        : typeof(T) == typeof(string) ? (IEqualityComparer<T>)(object)StringComparer.Ordinal
        : EqualityComparer<T>.Default;

    private readonly HashSet<T> _values;

    /// <summary>The set of <paramref name="values"/>.</summary>
    public ConstantSet(IEnumerable<T> values)
    {
        _values = new HashSet<T>(values, SqlEquality);
    }

    /// <inheritdoc />
    public override int Count => _values.Count;

    /// <summary>Whether the (non-NULL) value equals one of the constants. Called from generated code.</summary>
    public bool Contains(T value) => _values.Contains(value);

    private sealed class RealEquality : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => x == y;

        // 0.0 and -0.0 are equal, so they must hash alike; NaN equals nothing, so its hash is irrelevant.
        public int GetHashCode(double value) => value == 0.0 ? 0 : value.GetHashCode();
    }
}
