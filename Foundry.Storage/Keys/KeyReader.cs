using System.Buffers.Binary;

namespace Foundry.Storage;

/// <summary>Decodes keys written by <see cref="KeyWriter"/>, for tests and diagnostics.</summary>
public static class KeyReader
{
    /// <summary>
    /// The parts of an encoded key: null, bool, long, double, string (TEXT) or byte[] (BLOB).
    /// Throws <see cref="StorageException"/> naming the offset of a malformed part.
    /// </summary>
    public static object?[] Decode(ReadOnlySpan<byte> key)
    {
        var parts = new List<object?>();
        int pos = 0;
        while (pos < key.Length)
        {
            byte tag = key[pos++];
            switch (tag)
            {
                case KeyWriter.NullTag:
                    parts.Add(null);
                    break;
                case KeyWriter.BooleanTag:
                    Need(key, pos, 1, tag);
                    parts.Add(key[pos++] != 0);
                    break;
                case >= KeyWriter.IntegerTagMin and <= KeyWriter.IntegerTagMax:
                    parts.Add(DecodeInteger(key, ref pos, tag));
                    break;
                case KeyWriter.DoubleTag:
                    Need(key, pos, 8, tag);
                    parts.Add(KeyWriter.DecodeDouble(BinaryPrimitives.ReadUInt64BigEndian(key[pos..])));
                    pos += 8;
                    break;
                case KeyWriter.TextTag:
                    parts.Add(KeyWriter.StrictUtf8.GetString(Unescape(key, ref pos)));
                    break;
                case KeyWriter.BlobTag:
                    parts.Add(Unescape(key, ref pos));
                    break;
                default:
                    throw new StorageException($"malformed key: unknown tag 0x{tag:X2} at offset {pos - 1}");
            }
        }
        return parts.ToArray();
    }

    /// <summary>The payload after an INTEGER tag; rejects a payload longer than needed (it would sort out of place).</summary>
    private static long DecodeInteger(ReadOnlySpan<byte> key, ref int pos, byte tag)
    {
        int length = KeyWriter.IntegerPayloadBytes(tag);
        Need(key, pos, length, tag);
        bool negative = tag < KeyWriter.NonNegativeIntegerTag;
        var payload = key.Slice(pos, length);
        if (length > 1 && payload[0] == (negative ? 0xFF : 0x00))
        {
            throw new StorageException(
                $"malformed key: INTEGER part at offset {pos - 1} has a {length}-byte payload starting 0x{payload[0]:X2}; its value needs fewer bytes");
        }
        long v = negative ? -1 : 0; // sign extension: the payload's bytes shift in below it
        foreach (byte b in payload)
        {
            v = v << 8 | b;
        }
        pos += length;
        return v;
    }

    private static byte[] Unescape(ReadOnlySpan<byte> key, ref int pos)
    {
        var bytes = new List<byte>();
        int start = pos;
        while (true)
        {
            Need(key, pos, 2, 0);
            byte b = key[pos++];
            if (b != 0)
            {
                bytes.Add(b);
                continue;
            }
            byte next = key[pos++];
            if (next == 0)
            {
                return bytes.ToArray();
            }
            if (next != 0xFF)
            {
                throw new StorageException($"malformed key: escape 0x00 0x{next:X2} at offset {pos - 2} in the part starting at {start - 1}");
            }
            bytes.Add(0);
        }
    }

    private static void Need(ReadOnlySpan<byte> key, int pos, int count, byte tag)
    {
        if (pos + count > key.Length)
        {
            throw new StorageException(
                $"malformed key: part with tag 0x{tag:X2} needs {count} bytes at offset {pos}, key has {key.Length}");
        }
    }
}
