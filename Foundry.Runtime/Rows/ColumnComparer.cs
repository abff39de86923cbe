namespace Foundry.Runtime;

/// <summary>Comparisons generated sort code calls for types without a CompareTo that fits.</summary>
public static class ColumnComparer
{
    /// <summary>Byte-wise, then shorter first.</summary>
    public static int CompareBlob(byte[] left, byte[] right) => left.AsSpan().SequenceCompareTo(right);
}
