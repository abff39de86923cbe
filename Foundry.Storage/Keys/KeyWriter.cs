using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Foundry.Storage;

/// <summary>
/// Order-preserving key encoding: comparing two encodings as bytes (ordinal, memcmp then length) gives
/// the same order as comparing the values. A composite key is the concatenation of its encoded parts.
/// Each part is a tag byte followed by a payload:
///
/// | tag       | value       | payload                                                                  |
/// |-----------|-------------|--------------------------------------------------------------------------|
/// | 0x01      | NULL        | none — sorts before every non-NULL value                                 |
/// | 0x10      | BOOLEAN     | 1 byte: 0x00 false, 0x01 true                                            |
/// | 0x20–0x27 | INTEGER &lt; 0 | tag 0x28 − L; L bytes: the low L bytes of the value (two's complement), big-endian |
/// | 0x28–0x2F | INTEGER ≥ 0 | tag 0x27 + L; L bytes: the low L bytes of the value, big-endian          |
/// | 0x30      | REAL        | 8 bytes big-endian: IEEE bits with the sign bit flipped when positive, all bits flipped when negative |
/// | 0x40      | TEXT        | UTF-8 bytes with 0x00 written as 0x00 0xFF, then terminator 0x00 0x00     |
/// | 0x50      | BLOB        | raw bytes, escaped and terminated like TEXT                              |
///
/// INTEGER: L (1 to 8) is the fewest bytes that hold the value's magnitude — of the value when it is
/// non-negative, of its ones' complement (−value − 1) when negative — so a value in [0, 255] or
/// [−256, −1] takes 2 bytes in all and [0, 16777215] 4. The tag orders the lengths: a negative value with
/// a longer payload lies further below zero and gets a smaller tag, a non-negative one lies further above
/// and gets a larger tag. Within one tag the values fill [−2^(8L), −2^(8(L−1)) − 1] or
/// [2^(8(L−1)), 2^(8L) − 1] (L = 1: [−256, −1] and [0, 255]), whose low L bytes increase with the value,
/// so the payload compares as the value does. The encoding is canonical (L is minimal: a payload of two
/// or more bytes never starts with 0x00 for a non-negative value or 0xFF for a negative one), and the
/// tag gives the payload length, so every part is self-delimiting and a composite key orders by its first
/// part, then its second, and so on.
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
    /// <summary>Tag of a negative INTEGER with an 8-byte payload, the smallest INTEGER tag.</summary>
    public const byte IntegerTagMin = 0x20;
    /// <summary>Tag of a non-negative INTEGER with a 1-byte payload; tag − 0x27 is the payload length for tags at or above it.</summary>
    public const byte NonNegativeIntegerTag = 0x28;
    /// <summary>Tag of a non-negative INTEGER with an 8-byte payload, the largest INTEGER tag.</summary>
    public const byte IntegerTagMax = 0x2F;
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
        int payload = IntegerPayloadBytes(v);
        Ensure(9);
        _buffer[_length++] = (byte)(v < 0 ? NonNegativeIntegerTag - payload : NonNegativeIntegerTag - 1 + payload);
        // The low `payload` bytes, big-endian, are the first `payload` of the shifted value; the rest are
        // scratch beyond the key's length (room for all 8 was ensured).
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.AsSpan(_length), (ulong)v << (64 - 8 * payload));
        _length += payload;
        return this;
    }

    /// <summary>Payload bytes of an INTEGER part: the fewest (1 to 8) that hold v, or ~v when v is negative.</summary>
    internal static int IntegerPayloadBytes(long v)
    {
        int bits = 64 - BitOperations.LeadingZeroCount((ulong)(v ^ (v >> 63)));
        return Math.Max(1, (bits + 7) >> 3);
    }

    /// <summary>Payload length of an INTEGER tag (<see cref="IntegerTagMin"/> to <see cref="IntegerTagMax"/>).</summary>
    internal static int IntegerPayloadBytes(byte tag) =>
        tag >= NonNegativeIntegerTag ? tag - (NonNegativeIntegerTag - 1) : NonNegativeIntegerTag - tag;

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
