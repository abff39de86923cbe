using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Foundry.Storage;

/// <summary>
/// Reads columns of a record (format: see <see cref="RecordWriter"/>) in place, from (buffer, recordOffset).
/// Called from generated code: small static methods, allocation-free except GetText and GetBlob.
/// Typed getters check the column's stored length (so a NULL or a column of another type fails loudly
/// instead of reading a neighbour's bytes); call <see cref="IsNull"/> first for nullable columns.
/// </summary>
public static class RecordReader
{
    /// <summary>Offset of the data area relative to the record start, for <paramref name="columnCount"/> columns.</summary>
    public static int DataStart(int columnCount) => 2 + ((columnCount + 7) >> 3) + 4 * columnCount;

    public static int ColumnCount(byte[] buffer, int recordOffset) =>
        BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(recordOffset));

    /// <summary>
    /// True when the column is NULL — also for a column past the record's end: a record written before
    /// its table gained columns (ALTER TABLE ADD COLUMN) has NULL in them.
    /// </summary>
    public static bool IsNull(byte[] buffer, int recordOffset, int column)
    {
        int n = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(recordOffset));
        if ((uint)column >= (uint)n)
        {
            if (column < 0) ThrowBadColumn(recordOffset, column, n);
            return true;
        }
        return (buffer[recordOffset + 2 + (column >> 3)] & (1 << (column & 7))) != 0;
    }

    public static long GetInt64(byte[] buffer, int recordOffset, int column) =>
        BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(Locate(buffer, recordOffset, column, 8), 8));

    public static double GetDouble(byte[] buffer, int recordOffset, int column) =>
        BinaryPrimitives.ReadDoubleLittleEndian(buffer.AsSpan(Locate(buffer, recordOffset, column, 8), 8));

    public static bool GetBoolean(byte[] buffer, int recordOffset, int column) =>
        buffer[Locate(buffer, recordOffset, column, 1)] != 0;

    public static string GetText(byte[] buffer, int recordOffset, int column)
    {
        int start = Range(buffer, recordOffset, column, out int length);
        return Encoding.UTF8.GetString(buffer, start, length);
    }

    public static byte[] GetBlob(byte[] buffer, int recordOffset, int column)
    {
        int start = Range(buffer, recordOffset, column, out int length);
        return buffer.AsSpan(start, length).ToArray();
    }

    /// <summary>Absolute offset and length of a column's bytes (for comparisons without copying).</summary>
    public static int ColumnOffset(byte[] buffer, int recordOffset, int column, out int length) =>
        Range(buffer, recordOffset, column, out length);

    private static int Locate(byte[] buffer, int recordOffset, int column, int expectedLength)
    {
        int start = Range(buffer, recordOffset, column, out int length);
        if (length != expectedLength)
        {
            ThrowWrongLength(recordOffset, column, expectedLength, length);
        }
        return start;
    }

    private static int Range(byte[] buffer, int recordOffset, int column, out int length)
    {
        int n = CheckColumn(buffer, recordOffset, column);
        int endOffsets = recordOffset + 2 + ((n + 7) >> 3);
        int start = column == 0
            ? DataStart(n)
            : (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(endOffsets + 4 * (column - 1)));
        int end = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(endOffsets + 4 * column));
        length = end - start;
        return recordOffset + start;
    }

    private static int CheckColumn(byte[] buffer, int recordOffset, int column)
    {
        int n = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(recordOffset));
        if ((uint)column >= (uint)n)
        {
            ThrowBadColumn(recordOffset, column, n);
        }
        return n;
    }

    [DoesNotReturn]
    private static void ThrowBadColumn(int recordOffset, int column, int count) =>
        throw new StorageException($"record at offset {recordOffset} has {count} columns; column {column} does not exist");

    [DoesNotReturn]
    private static void ThrowWrongLength(int recordOffset, int column, int expected, int found) =>
        throw new StorageException(
            $"record at offset {recordOffset}, column {column}: expected {expected} bytes, found {found}{(found == 0 ? " (the column is NULL; check IsNull first)" : "")}");
}
