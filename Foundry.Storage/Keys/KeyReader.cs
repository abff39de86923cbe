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
                case KeyWriter.Int64Tag:
                    Need(key, pos, 8, tag);
                    parts.Add((long)(BinaryPrimitives.ReadUInt64BigEndian(key[pos..]) ^ 0x8000_0000_0000_0000UL));
                    pos += 8;
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
