namespace Foundry.Runtime;

/// <summary>
/// How a <see cref="GroupTable"/> column combines two partial states of one group when a spilled
/// group meets its other part: key columns are equal and kept; counts add; SUM and TOTAL add, a NULL
/// (no value yet) side giving way to the other; AVG's sum and count add; MIN and MAX keep the smaller
/// or larger value, ordered as generated code compares them (text by code point, blobs bytewise,
/// booleans as 0/1).
/// </summary>
public enum AccumulatorMerge : byte
{
    Key,
    AddInt64,
    AddDouble,
    SumInt64,
    SumDouble,
    Min,
    Max,
}

/// <summary>Applies <see cref="AccumulatorMerge"/>s to the columns of two group rows.</summary>
internal static class AccumulatorMerging
{
    /// <summary>Folds row `from` of `source` into row `into` of `target` (buffers of the same kinds).</summary>
    public static void Merge(AccumulatorMerge[] merges, ColumnBuffer target, int into, ColumnBuffer source, int from)
    {
        var kinds = target.Kinds!;
        for (var c = 0; c < merges.Length; c++)
        {
            switch (merges[c])
            {
                case AccumulatorMerge.Key:
                    break;
                case AccumulatorMerge.AddInt64:
                    target.SetInt64(c, into, checked(target.GetInt64(c, into) + source.GetInt64(c, from)));
                    break;
                case AccumulatorMerge.AddDouble:
                    target.SetDouble(c, into, target.GetDouble(c, into) + source.GetDouble(c, from));
                    break;
                case AccumulatorMerge.SumInt64:
                    if (source.IsNull(c, from)) break;
                    if (target.IsNull(c, into)) Take(target, into, source, from, c);
                    else target.SetInt64(c, into, checked(target.GetInt64(c, into) + source.GetInt64(c, from)));
                    break;
                case AccumulatorMerge.SumDouble:
                    if (source.IsNull(c, from)) break;
                    if (target.IsNull(c, into)) Take(target, into, source, from, c);
                    else target.SetDouble(c, into, target.GetDouble(c, into) + source.GetDouble(c, from));
                    break;
                case AccumulatorMerge.Min:
                case AccumulatorMerge.Max:
                    if (source.IsNull(c, from)) break;
                    if (target.IsNull(c, into)) Take(target, into, source, from, c);
                    else
                    {
                        var order = Compare(kinds[c], source, from, target, into, c);
                        if (merges[c] == AccumulatorMerge.Min ? order < 0 : order > 0) Take(target, into, source, from, c);
                    }
                    break;
            }
        }
    }

    private static void Take(ColumnBuffer target, int into, ColumnBuffer source, int from, int c)
    {
        target.SetNull(c, into, false);
        switch (target.Kinds![c])
        {
            case ColumnKind.Int64: target.SetInt64(c, into, source.GetInt64(c, from)); break;
            case ColumnKind.Double: target.SetDouble(c, into, source.GetDouble(c, from)); break;
            default: target.SetReference(c, into, source.GetReference(c, from)); break;
        }
    }

    private static int Compare(ColumnKind kind, ColumnBuffer a, int rowA, ColumnBuffer b, int rowB, int c) => kind switch
    {
        ColumnKind.Int64 => a.GetInt64(c, rowA).CompareTo(b.GetInt64(c, rowB)),
        // As generated code compares: `<` and `>` on doubles, so NaN is neither smaller nor larger.
        ColumnKind.Double => a.GetDouble(c, rowA) < b.GetDouble(c, rowB) ? -1 : a.GetDouble(c, rowA) > b.GetDouble(c, rowB) ? 1 : 0,
        ColumnKind.Text => Arithmetic.CompareText((string)a.GetReference(c, rowA)!, (string)b.GetReference(c, rowB)!),
        _ => ColumnComparer.CompareBlob((byte[])a.GetReference(c, rowA)!, (byte[])b.GetReference(c, rowB)!),
    };
}
