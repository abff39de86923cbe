namespace Foundry.Runtime;

/// <summary>
/// Where a <see cref="ColumnBuffer"/> column keeps its values: INTEGER and BOOLEAN (0/1) as Int64,
/// REAL as Double, TEXT and BLOB as references. A buffer that knows its kinds allocates one value array
/// per column and can write its rows to a spill file and read them back.
/// </summary>
public enum ColumnKind : byte
{
    Int64,
    Double,
    Text,
    Blob,
}
