using System.Runtime.InteropServices;

namespace Foundry.Runtime;

/// <summary>
/// Writes the hash keys of <see cref="RowKey"/> to spill files and reads them back as equal keys.
/// Format: a tag byte, then the value: 0 NULL; 1 Int64 (8 bytes); 2 Double (its 8 bits); 3 Boolean
/// (1 byte); 4 Text (UTF-16 length 7-bit encoded, then the units); 5 Blob (length, bytes);
/// 6 composite (part count 7-bit encoded, then each part as above).
/// </summary>
internal static class RowKeyCodec
{
    public static void Write(BinaryWriter writer, object key)
    {
        switch (key)
        {
            case long l:
                writer.Write((byte)1);
                writer.Write(l);
                break;
            case double d:
                writer.Write((byte)2);
                writer.Write(BitConverter.DoubleToInt64Bits(d));
                break;
            case bool b:
                writer.Write((byte)3);
                writer.Write(b);
                break;
            case string s:
                writer.Write((byte)4);
                WriteText(writer, s);
                break;
            case byte[] bytes:
                writer.Write((byte)5);
                WriteBlob(writer, bytes);
                break;
            case CompositeKey composite:
                writer.Write((byte)6);
                writer.Write7BitEncodedInt(composite.Parts.Length);
                foreach (var part in composite.Parts) Write(writer, part);
                break;
            default:
                if (!ReferenceEquals(key, RowKey.Null)) throw new InvalidOperationException($"Foundry bug: no spill format for a key of type {key.GetType().Name}");
                writer.Write((byte)0);
                break;
        }
    }

    public static object Read(BinaryReader reader)
    {
        var tag = reader.ReadByte();
        switch (tag)
        {
            case 0: return RowKey.Null;
            case 1: return reader.ReadInt64();
            case 2: return BitConverter.Int64BitsToDouble(reader.ReadInt64());
            case 3: return reader.ReadBoolean();
            case 4: return ReadText(reader);
            case 5: return ReadBlob(reader);
            case 6:
                var parts = new object[reader.Read7BitEncodedInt()];
                for (var i = 0; i < parts.Length; i++) parts[i] = Read(reader);
                return RowKey.Composite(parts);
            default:
                throw new InvalidOperationException($"Foundry bug: spill file holds an unknown key tag {tag}");
        }
    }

    /// <summary>TEXT in spill files: its length in UTF-16 units (7-bit encoded), then the units, so lone surrogates survive.</summary>
    public static void WriteText(BinaryWriter writer, string text)
    {
        writer.Write7BitEncodedInt(text.Length);
        writer.Write(MemoryMarshal.AsBytes(text.AsSpan()));
    }

    public static string ReadText(BinaryReader reader) =>
        string.Create(reader.Read7BitEncodedInt(), reader, static (chars, r) => r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(chars)));

    /// <summary>BLOB in spill files: its length (7-bit encoded), then its bytes.</summary>
    public static void WriteBlob(BinaryWriter writer, byte[] blob)
    {
        writer.Write7BitEncodedInt(blob.Length);
        writer.Write(blob);
    }

    public static byte[] ReadBlob(BinaryReader reader)
    {
        var blob = new byte[reader.Read7BitEncodedInt()];
        reader.BaseStream.ReadExactly(blob);
        return blob;
    }

    /// <summary>Estimated managed bytes of a key object (boxes, strings, arrays).</summary>
    public static long Bytes(object key) => key switch
    {
        string s => 24 + 2L * s.Length,
        byte[] b => 24 + b.Length,
        CompositeKey c => 48 + 8L * c.Parts.Length + c.Parts.Sum(Bytes),
        _ => 24,
    };

    /// <summary>Partition files a spilling hash table (GroupTable, JoinTable) splits its rows into at each level.</summary>
    public const int PartitionFanOut = 32;

    /// <summary>Levels of re-splitting a partition that still does not fit; beyond the last, it is kept in memory.</summary>
    public const int MaxPartitionLevels = 6;

    /// <summary>The partition (0 .. <see cref="PartitionFanOut"/>-1) of a key at a recursion level; levels hash independently.</summary>
    public static int Partition(object key, int level) =>
        (int)((uint)HashCode.Combine(key.GetHashCode(), level) % PartitionFanOut);
}
