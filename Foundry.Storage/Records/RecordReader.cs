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
    /// <summary>The header word's column-count bits (0–13).</summary>
    public const int ColumnCountMask = RecordWriter.MaxColumns;

    /// <summary>Position of the offset width code (bits 14–15) in the header word.</summary>
    public const int WidthShift = 14;

    /// <summary>Bytes before the data of a record of <paramref name="columnCount"/> columns with <paramref name="offsetWidth"/>-byte end offsets.</summary>
    public static int HeaderSize(int columnCount, int offsetWidth) => 2 + ((columnCount + 7) >> 3) + offsetWidth * columnCount;

    public static int ColumnCount(byte[] buffer, int recordOffset) =>
        BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(recordOffset)) & ColumnCountMask;

    /// <summary>Bytes per end offset (1, 2 or 4) from the header word; 0 for the invalid code 3.</summary>
    public static int OffsetWidth(byte[] buffer, int recordOffset) =>
        (BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(recordOffset)) >> WidthShift) switch { 0 => 1, 1 => 2, 2 => 4, _ => 0 };

    /// <summary>
    /// True when the column is NULL — also for a column past the record's end: a record written before
    /// its table gained columns (ALTER TABLE ADD COLUMN) has NULL in them.
    /// </summary>
    public static bool IsNull(byte[] buffer, int recordOffset, int column)
    {
        int n = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(recordOffset)) & ColumnCountMask;
        if ((uint)column >= (uint)n)
        {
            if (column < 0) ThrowBadColumn(recordOffset, column, n);
            return true;
        }
        return (buffer[recordOffset + 2 + (column >> 3)] & (1 << (column & 7))) != 0;
    }

    /// <summary>An INTEGER stored in 1 to 8 bytes, little-endian, sign-extended.</summary>
    public static long GetInt64(byte[] buffer, int recordOffset, int column)
    {
        int start = Range(buffer, recordOffset, column, out int length);
        var b = buffer.AsSpan(start);
        switch (length)
        {
            case 1: return (sbyte)b[0];
            case 2: return BinaryPrimitives.ReadInt16LittleEndian(b);
            case 3: return BinaryPrimitives.ReadUInt16LittleEndian(b) | (long)(sbyte)b[2] << 16;
            case 4: return BinaryPrimitives.ReadInt32LittleEndian(b);
            case 5: return BinaryPrimitives.ReadUInt32LittleEndian(b) | (long)(sbyte)b[4] << 32;
            case 6: return BinaryPrimitives.ReadUInt32LittleEndian(b) | (long)BinaryPrimitives.ReadInt16LittleEndian(b[4..]) << 32;
            case 7:
                return BinaryPrimitives.ReadUInt32LittleEndian(b) | (long)BinaryPrimitives.ReadUInt16LittleEndian(b[4..]) << 32
                    | (long)(sbyte)b[6] << 48;
            case 8: return BinaryPrimitives.ReadInt64LittleEndian(b);
            default:
                ThrowWrongLength(recordOffset, column, "1 to 8", length);
                return 0;
        }
    }

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
            ThrowWrongLength(recordOffset, column, expectedLength.ToString(System.Globalization.CultureInfo.InvariantCulture), length);
        }
        return start;
    }

    /// <summary>Column i is [end(i−1), end(i)); end(−1) is the data start, i.e. the header size.</summary>
    private static int Range(byte[] buffer, int recordOffset, int column, out int length)
    {
        int header = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(recordOffset));
        int n = header & ColumnCountMask;
        if ((uint)column >= (uint)n)
        {
            ThrowBadColumn(recordOffset, column, n);
        }
        int offsets = recordOffset + 2 + ((n + 7) >> 3);
        int start, end;
        switch (header >> WidthShift)
        {
            case 0:
                end = buffer[offsets + column];
                start = column == 0 ? offsets - recordOffset + n : buffer[offsets + column - 1];
                break;
            case 1:
                end = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offsets + 2 * column));
                start = column == 0 ? offsets - recordOffset + 2 * n : BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offsets + 2 * column - 2));
                break;
            case 2:
                end = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offsets + 4 * column));
                start = column == 0 ? offsets - recordOffset + 4 * n : (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offsets + 4 * column - 4));
                break;
            default:
                ThrowBadWidth(recordOffset);
                start = end = 0;
                break;
        }
        length = end - start;
        return recordOffset + start;
    }

    [DoesNotReturn]
    private static void ThrowBadColumn(int recordOffset, int column, int count) =>
        throw new StorageException($"record at offset {recordOffset} has {count} columns; column {column} does not exist");

    [DoesNotReturn]
    private static void ThrowBadWidth(int recordOffset) =>
        throw new StorageException($"record at offset {recordOffset} has offset width code 3 in its header (expected 0, 1 or 2 for 1-, 2- or 4-byte end offsets)");

    [DoesNotReturn]
    private static void ThrowWrongLength(int recordOffset, int column, string expected, int found) =>
        throw new StorageException(
            $"record at offset {recordOffset}, column {column}: expected {expected} bytes, found {found}{(found == 0 ? " (the column is NULL; check IsNull first)" : "")}");
}
