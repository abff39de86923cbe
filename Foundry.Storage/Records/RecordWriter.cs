using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Foundry.Storage;

/// <summary>
/// Builds a record (a row value) in the format <see cref="RecordReader"/> reads in place. Little-endian:
///
/// | offset              | size          | field        | meaning                                                       |
/// |---------------------|---------------|--------------|---------------------------------------------------------------|
/// | 0                   | 2             | header       | bits 0–13: column count n (≤ <see cref="MaxColumns"/>); bits 14–15: offset width code |
/// | 2                   | ceil(n / 8)   | null bitmap  | bit (i % 8) of byte (i / 8) set when column i is NULL         |
/// | 2 + ceil(n/8)       | W * n         | end offsets  | unsigned W-byte end of column i's data, relative to record start |
/// | 2 + ceil(n/8) + W*n | ...           | data         | column i occupies [end(i-1), end(i)), end(-1) = data start    |
///
/// Offset width W: code 0 → 1 byte, 1 → 2 bytes, 2 → 4 bytes; code 3 is invalid. The writer picks the
/// smallest W whose largest value holds the record's total length (the last end offset), so a record of
/// up to 255 bytes has 1-byte offsets and one of up to 65535 bytes 2-byte offsets.
///
/// Column data: INTEGER in the fewest bytes (1 to 8) that hold the value as two's complement, little-endian,
/// sign-extended on read — its length, given by the end offsets, is its width (0 and −128..127 take 1 byte,
/// −32768..32767 two, and so on up to 8); REAL 8 bytes (IEEE-754 bits); BOOLEAN 1 byte (0 or 1); TEXT UTF-8
/// bytes; BLOB raw bytes; NULL zero bytes with its bitmap bit set.
///
/// Reusable: Begin starts a new record. Columns are written in order; AsSpan/ToArray require all n.
/// While the columns are written the data sits after room for the widest header; finishing writes the
/// header of the chosen width immediately before the data, so the data is never moved.
/// </summary>
public sealed class RecordWriter
{
    /// <summary>Most columns a record holds: the column count has 14 bits of the header word.</summary>
    public const int MaxColumns = 0x3FFF;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private byte[] _buffer = new byte[256];
    private int[] _ends = new int[16];          // end of column i relative to the data start
    private byte[] _nulls = new byte[2];        // the null bitmap, copied into the header when finished
    private int _columnCount;
    private int _column;
    private int _dataStart;                     // where the data begins in _buffer
    private int _length;                        // end of the data in _buffer
    private int _recordStart = -1;              // where the finished record begins in _buffer; -1 until finished

    /// <summary>Starts a record of <paramref name="columnCount"/> columns (0 to <see cref="MaxColumns"/>).</summary>
    public RecordWriter Begin(int columnCount)
    {
        if ((uint)columnCount > MaxColumns)
        {
            throw new ArgumentOutOfRangeException(nameof(columnCount), columnCount, $"a record holds 0 to {MaxColumns} columns");
        }
        _columnCount = columnCount;
        _column = 0;
        _recordStart = -1;
        int bitmapBytes = (columnCount + 7) >> 3;
        if (_ends.Length < columnCount) _ends = new int[Math.Max(columnCount, _ends.Length * 2)];
        if (_nulls.Length < bitmapBytes) _nulls = new byte[Math.Max(bitmapBytes, _nulls.Length * 2)];
        _nulls.AsSpan(0, bitmapBytes).Clear();
        _dataStart = RecordReader.HeaderSize(columnCount, 4);
        Ensure(_dataStart);
        _length = _dataStart;
        return this;
    }

    public RecordWriter WriteNull()
    {
        int c = NextColumn(0);
        _nulls[c >> 3] |= (byte)(1 << (c & 7));
        return EndColumn(c);
    }

    public RecordWriter WriteInt64(long v)
    {
        int c = NextColumn(8);
        // All 8 bytes are written (room was ensured); only the low IntegerBytes(v) of them are kept.
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), v);
        _length += IntegerBytes(v);
        return EndColumn(c);
    }

    public RecordWriter WriteDouble(double v)
    {
        int c = NextColumn(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), v);
        _length += 8;
        return EndColumn(c);
    }

    public RecordWriter WriteBoolean(bool v)
    {
        int c = NextColumn(1);
        _buffer[_length++] = v ? (byte)1 : (byte)0;
        return EndColumn(c);
    }

    /// <summary>Writes UTF-8; a string with unpaired surrogates is rejected (ArgumentException).</summary>
    public RecordWriter WriteText(string v)
    {
        ArgumentNullException.ThrowIfNull(v);
        int c = NextColumn(StrictUtf8.GetMaxByteCount(v.Length));
        _length += StrictUtf8.GetBytes(v, _buffer.AsSpan(_length));
        return EndColumn(c);
    }

    public RecordWriter WriteBlob(ReadOnlySpan<byte> v)
    {
        int c = NextColumn(v.Length);
        v.CopyTo(_buffer.AsSpan(_length));
        _length += v.Length;
        return EndColumn(c);
    }

    /// <summary>A copy of the finished record.</summary>
    public byte[] ToArray() => AsSpan().ToArray();

    /// <summary>The finished record, valid until the next Begin.</summary>
    public ReadOnlySpan<byte> AsSpan()
    {
        if (_recordStart < 0)
        {
            Finish();
        }
        return _buffer.AsSpan(_recordStart, _length - _recordStart);
    }

    /// <summary>Bytes an INTEGER value takes in a record: the fewest (1 to 8) that hold it as two's complement.</summary>
    public static int IntegerBytes(long v)
    {
        // Significant bits of the magnitude (of ~v for negatives), plus the sign bit, rounded up to bytes.
        int bits = 65 - BitOperations.LeadingZeroCount((ulong)(v ^ (v >> 63)));
        return (bits + 7) >> 3;
    }

    /// <summary>The end-offset width (1, 2 or 4 bytes) of a record: the smallest that holds its total length.</summary>
    public static int OffsetWidth(int columnCount, int dataBytes) =>
        RecordReader.HeaderSize(columnCount, 1) + dataBytes <= byte.MaxValue ? 1
        : RecordReader.HeaderSize(columnCount, 2) + dataBytes <= ushort.MaxValue ? 2
        : 4;

    /// <summary>Chooses the offset width and writes the header right before the data.</summary>
    private void Finish()
    {
        if (_column != _columnCount)
        {
            throw new InvalidOperationException($"record has {_columnCount} columns but only {_column} were written");
        }
        int width = OffsetWidth(_columnCount, _length - _dataStart);
        int headerSize = RecordReader.HeaderSize(_columnCount, width);
        int start = _dataStart - headerSize;
        var header = _buffer.AsSpan(start, headerSize);
        int widthCode = width == 1 ? 0 : width == 2 ? 1 : 2;
        BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)(_columnCount | widthCode << RecordReader.WidthShift));
        int bitmapBytes = (_columnCount + 7) >> 3;
        _nulls.AsSpan(0, bitmapBytes).CopyTo(header[2..]);
        var offsets = header[(2 + bitmapBytes)..];
        for (int i = 0; i < _columnCount; i++)
        {
            int end = headerSize + _ends[i];
            switch (width)
            {
                case 1: offsets[i] = (byte)end; break;
                case 2: BinaryPrimitives.WriteUInt16LittleEndian(offsets[(2 * i)..], (ushort)end); break;
                default: BinaryPrimitives.WriteUInt32LittleEndian(offsets[(4 * i)..], (uint)end); break;
            }
        }
        _recordStart = start;
    }

    private int NextColumn(int maxBytes)
    {
        if (_column >= _columnCount)
        {
            throw new InvalidOperationException($"record has {_columnCount} columns; column {_column} is one too many (call Begin first)");
        }
        Ensure(_length + maxBytes);
        return _column;
    }

    private RecordWriter EndColumn(int c)
    {
        _ends[c] = _length - _dataStart;
        _column = c + 1;
        return this;
    }

    private void Ensure(int size)
    {
        if (size > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(size, _buffer.Length * 2));
        }
    }
}
