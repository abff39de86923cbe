namespace Foundry.Runtime;

/// <summary>
/// The row a compiled query hands to its reader: one typed slot per output column. Generated code
/// writes only the array of the column's type (BOOLEAN lives in <see cref="Int64s"/> as 0 or 1,
/// TEXT and BLOB in <see cref="References"/>), so no value is boxed.
/// </summary>
public sealed class OutputRow
{
    public OutputRow(int width)
    {
        Int64s = new long[width];
        Doubles = new double[width];
        References = new object?[width];
        Nulls = new bool[width];
    }

    public readonly long[] Int64s;
    public readonly double[] Doubles;
    public readonly object?[] References;
    public readonly bool[] Nulls;

    public int Width => Nulls.Length;
    public bool IsNull(int column) => Nulls[column];
    public long GetInt64(int column) => Int64s[column];
    public double GetDouble(int column) => Doubles[column];
    public bool GetBoolean(int column) => Int64s[column] != 0;
    public string GetText(int column) => (string)References[column]!;
    public byte[] GetBlob(int column) => (byte[])References[column]!;
}
