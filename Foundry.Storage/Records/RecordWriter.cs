using System.Buffers.Binary;
using System.Text;

namespace Foundry.Storage;

/// <summary>
/// Builds a record (a row value) in the format <see cref="RecordReader"/> reads in place. Little-endian:
///
/// | offset              | size          | field        | meaning                                            |
/// |---------------------|---------------|--------------|----------------------------------------------------|
/// | 0                   | 2             | column count | n                                                  |
/// | 2                   | ceil(n / 8)   | null bitmap  | bit (i % 8) of byte (i / 8) set when column i is NULL |
/// | 2 + ceil(n/8)       | 4 * n         | end offsets  | u32 end of column i's data, relative to record start |
/// | 2 + ceil(n/8) + 4n  | ...           | data         | column i occupies [end(i-1), end(i)), end(-1) = data start |
///
/// Column data: INTEGER and REAL 8 bytes (REAL as IEEE-754 bits); BOOLEAN 1 byte (0 or 1);
/// TEXT UTF-8 bytes; BLOB raw bytes; NULL zero bytes with its bitmap bit set.
/// Reusable: Begin starts a new record. Columns are written in order; ToArray requires all n.
/// </summary>
public sealed class RecordWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private byte[] _buffer = new byte[256];
    private int _columnCount;
    private int _column;
    private int _dataStart;
    private int _length;

    /// <summary>Starts a record of <paramref name="columnCount"/> columns (0 to 65535).</summary>
    public RecordWriter Begin(int columnCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(columnCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(columnCount, ushort.MaxValue);
        _columnCount = columnCount;
        _column = 0;
        _dataStart = RecordReader.DataStart(columnCount);
        Ensure(_dataStart);
        _buffer.AsSpan(0, _dataStart).Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer, (ushort)columnCount);
        _length = _dataStart;
        return this;
    }

    public RecordWriter WriteNull()
    {
        int c = NextColumn(0);
        _buffer[2 + (c >> 3)] |= (byte)(1 << (c & 7));
        return EndColumn(c);
    }

    public RecordWriter WriteInt64(long v)
    {
        int c = NextColumn(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), v);
        _length += 8;
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
        if (_column != _columnCount)
        {
            throw new InvalidOperationException($"record has {_columnCount} columns but only {_column} were written");
        }
        return _buffer.AsSpan(0, _length);
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
        int endOffsets = 2 + ((_columnCount + 7) >> 3);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(endOffsets + 4 * c), (uint)_length);
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
