using System.Buffers.Binary;
using System.Text;

namespace Foundry.Storage;

/// <summary>
/// Order-preserving key encoding: comparing two encodings as bytes (ordinal, memcmp then length) gives
/// the same order as comparing the values. A composite key is the concatenation of its encoded parts.
/// Each part is a tag byte followed by a payload:
///
/// | tag  | value      | payload                                                                    |
/// |------|------------|----------------------------------------------------------------------------|
/// | 0x01 | NULL       | none — sorts before every non-NULL value                                   |
/// | 0x10 | BOOLEAN    | 1 byte: 0x00 false, 0x01 true                                              |
/// | 0x20 | INTEGER    | 8 bytes big-endian of (value XOR 0x8000_0000_0000_0000)                    |
/// | 0x30 | REAL       | 8 bytes big-endian: IEEE bits with the sign bit flipped when positive, all bits flipped when negative |
/// | 0x40 | TEXT       | UTF-8 bytes with 0x00 written as 0x00 0xFF, then terminator 0x00 0x00       |
/// | 0x50 | BLOB       | raw bytes, escaped and terminated like TEXT                                |
///
/// REAL: -0.0 is canonicalised to 0.0 (they compare equal); every NaN is canonicalised to one quiet NaN
/// that sorts after +infinity and equals itself. TEXT orders by UTF-8 bytes, which is Unicode code point
/// order (not UTF-16 ordinal order for characters above U+FFFF); strings with unpaired surrogates are rejected.
/// The terminator 0x00 0x00 is below every escaped or ordinary byte pair, so a prefix sorts first and
/// parts that follow a TEXT value do not disturb its order.
/// </summary>
public sealed class KeyWriter
{
    public const byte NullTag = 0x01;
    public const byte BooleanTag = 0x10;
    public const byte Int64Tag = 0x20;
    public const byte DoubleTag = 0x30;
    public const byte TextTag = 0x40;
    public const byte BlobTag = 0x50;

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private byte[] _buffer = new byte[64];
    private int _length;

    public int Length => _length;

    public KeyWriter Reset()
    {
        _length = 0;
        return this;
    }

    public KeyWriter WriteNull()
    {
        Ensure(1);
        _buffer[_length++] = NullTag;
        return this;
    }

    public KeyWriter WriteBoolean(bool v)
    {
        Ensure(2);
        _buffer[_length++] = BooleanTag;
        _buffer[_length++] = v ? (byte)1 : (byte)0;
        return this;
    }

    public KeyWriter WriteInt64(long v)
    {
        Ensure(9);
        _buffer[_length++] = Int64Tag;
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.AsSpan(_length), (ulong)v ^ 0x8000_0000_0000_0000UL);
        _length += 8;
        return this;
    }

    /// <summary>-0.0 equals 0.0; NaN sorts after +infinity.</summary>
    public KeyWriter WriteDouble(double v)
    {
        Ensure(9);
        _buffer[_length++] = DoubleTag;
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.AsSpan(_length), EncodeDouble(v));
        _length += 8;
        return this;
    }

    public KeyWriter WriteText(string v)
    {
        ArgumentNullException.ThrowIfNull(v);
        byte[] utf8 = StrictUtf8.GetBytes(v);
        return WriteEscaped(TextTag, utf8);
    }

    public KeyWriter WriteBlob(ReadOnlySpan<byte> v) => WriteEscaped(BlobTag, v);

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    /// <summary>The key so far, valid until the next write or Reset.</summary>
    public ReadOnlySpan<byte> AsSpan() => _buffer.AsSpan(0, _length);

    internal static ulong EncodeDouble(double v)
    {
        if (v == 0.0)
        {
            v = 0.0; // -0.0 -> +0.0
        }
        else if (double.IsNaN(v))
        {
            v = double.NaN;
        }
        ulong bits = (ulong)BitConverter.DoubleToInt64Bits(v);
        if (double.IsNaN(v))
        {
            bits = 0x7FF8_0000_0000_0000UL; // one canonical positive quiet NaN, above +infinity once flipped
        }
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits ^ 0x8000_0000_0000_0000UL;
    }

    internal static double DecodeDouble(ulong encoded)
    {
        ulong bits = (encoded & 0x8000_0000_0000_0000UL) != 0 ? encoded ^ 0x8000_0000_0000_0000UL : ~encoded;
        return BitConverter.Int64BitsToDouble((long)bits);
    }

    private KeyWriter WriteEscaped(byte tag, ReadOnlySpan<byte> bytes)
    {
        Ensure(1 + 2 * bytes.Length + 2);
        _buffer[_length++] = tag;
        foreach (byte b in bytes)
        {
            _buffer[_length++] = b;
            if (b == 0)
            {
                _buffer[_length++] = 0xFF;
            }
        }
        _buffer[_length++] = 0;
        _buffer[_length++] = 0;
        return this;
    }

    private void Ensure(int extra)
    {
        if (_length + extra > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_length + extra, _buffer.Length * 2));
        }
    }
}
