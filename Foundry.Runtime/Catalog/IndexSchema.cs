using System.Buffers.Binary;
using System.Text;

namespace Foundry.Runtime;

/// <summary>
/// A secondary index: a B+Tree whose keys are the encoded index columns followed by the row's
/// primary key (so every entry is unique even when index values repeat), and whose values are the
/// row's primary key, for fetching the row from its table.
/// </summary>
/// <remarks>
/// Serialized form (little-endian): u8 format version (1), str name, str table, u32 root page,
/// u8 unique, u16 column count, u16 ordinal each (str = u16 byte length + UTF-8).
/// </remarks>
public sealed class IndexSchema(string name, string table, IReadOnlyList<int> columns, bool unique, uint rootPageId)
{
    private const byte FormatVersion = 1;

    public string Name { get; } = name;
    public string Table { get; } = table;
    public IReadOnlyList<int> Columns { get; } = columns;
    public bool Unique { get; } = unique;
    public uint RootPageId { get; } = rootPageId;

    public string ToSql(TableSchema table) =>
        $"CREATE {(Unique ? "UNIQUE " : "")}INDEX {Name} ON {table.Name} ({string.Join(", ", Columns.Select(c => table.Columns[c].Name))})";

    public byte[] Serialize()
    {
        var buffer = new List<byte> { FormatVersion };
        WriteString(buffer, Name);
        WriteString(buffer, Table);
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(u32, RootPageId);
        buffer.AddRange(u32.ToArray());
        buffer.Add((byte)(Unique ? 1 : 0));
        buffer.Add((byte)Columns.Count);
        buffer.Add((byte)(Columns.Count >> 8));
        foreach (var c in Columns)
        {
            buffer.Add((byte)c);
            buffer.Add((byte)(c >> 8));
        }
        return buffer.ToArray();
    }

    public static IndexSchema Deserialize(ReadOnlySpan<byte> data)
    {
        var pos = 0;
        if (data[pos++] != FormatVersion) throw new InvalidDataException("catalog index entry has an unknown format version");
        var name = ReadString(data, ref pos);
        var table = ReadString(data, ref pos);
        var root = BinaryPrimitives.ReadUInt32LittleEndian(data[pos..]);
        pos += 4;
        var unique = data[pos++] != 0;
        var count = BinaryPrimitives.ReadUInt16LittleEndian(data[pos..]);
        pos += 2;
        var columns = new int[count];
        for (var i = 0; i < count; i++)
        {
            columns[i] = BinaryPrimitives.ReadUInt16LittleEndian(data[pos..]);
            pos += 2;
        }
        return new IndexSchema(name, table, columns, unique, root);
    }

    private static void WriteString(List<byte> buffer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        buffer.Add((byte)bytes.Length);
        buffer.Add((byte)(bytes.Length >> 8));
        buffer.AddRange(bytes);
    }

    private static string ReadString(ReadOnlySpan<byte> data, ref int pos)
    {
        var length = BinaryPrimitives.ReadUInt16LittleEndian(data[pos..]);
        pos += 2;
        var value = Encoding.UTF8.GetString(data.Slice(pos, length));
        pos += length;
        return value;
    }
}
