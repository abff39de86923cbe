using System.Buffers.Binary;
using System.Text;

namespace Foundry.Runtime;

/// <summary>
/// A table as the catalog stores it: columns, primary key and the root page of its B+Tree.
/// A table without a declared primary key is keyed by a hidden 64-bit rowid (<see cref="HasRowId"/>),
/// assigned in increasing order from <see cref="NextRowId"/>.
/// </summary>
/// <remarks>
/// Serialized form (little-endian), stored as the value of the catalog B+Tree under the key
/// of the lower-cased table name:
/// <code>
/// u8  format version (1)
/// str name                       (u16 byte length + UTF-8)
/// u32 root page id
/// u16 column count, then per column: str name, u8 type, u8 flags (bit 0 NOT NULL, bit 1 has DEFAULT), [str default SQL]
/// u16 primary key column count, then u16 ordinal each (0 columns = rowid table)
/// i64 next rowid
/// u16 CHECK count, then per check: str name, str SQL
/// u16 FOREIGN KEY count, then per key: str name, str parent table, u8 on-delete action,
///     u16 column count, then u16 child ordinal and u16 parent ordinal per column
/// </code>
/// The engine rewrites the entry when a statement that assigned rowids commits, so NextRowId survives
/// a reopen without scanning the table for its largest key.
/// </remarks>
public sealed class TableSchema
{
    private const byte FormatVersion = 2;

    public TableSchema(string name, IReadOnlyList<ColumnSchema> columns, IReadOnlyList<int> primaryKey, uint rootPageId,
        IReadOnlyList<CheckConstraint>? checks = null, IReadOnlyList<ForeignKey>? foreignKeys = null)
    {
        Checks = checks ?? [];
        ForeignKeys = foreignKeys ?? [];
        Name = name;
        Columns = columns;
        PrimaryKey = primaryKey;
        RootPageId = rootPageId;
    }

    public string Name { get; }
    public IReadOnlyList<ColumnSchema> Columns { get; }

    /// <summary>Ordinals of the primary-key columns in key order; empty for a rowid table.</summary>
    public IReadOnlyList<int> PrimaryKey { get; }

    public uint RootPageId { get; }

    /// <summary>CHECK constraints: each row must not make one FALSE (NULL passes, as in SQL).</summary>
    public IReadOnlyList<CheckConstraint> Checks { get; }

    /// <summary>This table's references to parent tables.</summary>
    public IReadOnlyList<ForeignKey> ForeignKeys { get; }

    /// <summary>Foreign keys of other tables (or this one) that reference this table; kept by the catalog.</summary>
    public List<(TableSchema Child, ForeignKey Key)> ReferencedBy { get; } = [];
    public bool HasRowId => PrimaryKey.Count == 0;

    /// <summary>The next hidden rowid to assign (rowid tables only). Mutated by inserts, which run one at a time.</summary>
    public long NextRowId { get; set; } = 1;

    /// <summary>The table's secondary indexes (kept in their own catalog entries, attached on load).</summary>
    public List<IndexSchema> Indexes { get; } = [];

    /// <summary>
    /// The number of rows the last ANALYZE counted (kept in its own catalog entry, attached on load), or
    /// null if the table was never analyzed. The planner's estimates use it; it is not kept up to date
    /// by changes.
    /// </summary>
    public long? AnalyzedRows { get; set; }

    /// <summary>The catalog key for a table name: names are case-insensitive.</summary>
    public static string CatalogKey(string name) => name.ToLowerInvariant();

    /// <summary>The same definition stored at another root page (a new table's tree is allocated by the engine).</summary>
    public TableSchema WithRootPage(uint rootPageId)
    {
        var copy = new TableSchema(Name, Columns, PrimaryKey, rootPageId, Checks, ForeignKeys) { NextRowId = NextRowId, AnalyzedRows = AnalyzedRows };
        copy.Indexes.AddRange(Indexes);
        return copy;
    }

    public ColumnSchema? FindColumn(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The CREATE TABLE statement that recreates this table's definition.</summary>
    public string ToSql()
    {
        var sb = new StringBuilder();
        sb.Append("CREATE TABLE ").Append(Name).Append(" (");
        for (var i = 0; i < Columns.Count; i++)
        {
            var c = Columns[i];
            if (i > 0) sb.Append(", ");
            sb.Append(c.Name).Append(' ').Append(c.Type.Display());
            if (PrimaryKey.Count == 1 && PrimaryKey[0] == i) sb.Append(" PRIMARY KEY");
            else if (c.NotNull) sb.Append(" NOT NULL");
            if (c.DefaultSql is not null) sb.Append(" DEFAULT ").Append(c.DefaultSql);
        }
        if (PrimaryKey.Count > 1)
            sb.Append(", PRIMARY KEY (").Append(string.Join(", ", PrimaryKey.Select(o => Columns[o].Name))).Append(')');
        foreach (var check in Checks) sb.Append(", CONSTRAINT ").Append(check.Name).Append(" CHECK (").Append(check.Sql).Append(')');
        foreach (var key in ForeignKeys) sb.Append(", ").Append(key.ToSql(this, key.Parent));
        sb.Append(')');
        return sb.ToString();
    }

    public byte[] Serialize()
    {
        var buffer = new List<byte> { FormatVersion };
        WriteString(buffer, Name);
        WriteU32(buffer, RootPageId);
        WriteU16(buffer, Columns.Count);
        foreach (var c in Columns)
        {
            WriteString(buffer, c.Name);
            buffer.Add((byte)c.Type);
            buffer.Add((byte)((c.NotNull ? 1 : 0) | (c.DefaultSql is null ? 0 : 2)));
            if (c.DefaultSql is not null) WriteString(buffer, c.DefaultSql);
        }
        WriteU16(buffer, PrimaryKey.Count);
        foreach (var o in PrimaryKey) WriteU16(buffer, o);
        for (var i = 0; i < 8; i++) buffer.Add((byte)(NextRowId >> (8 * i)));
        WriteU16(buffer, Checks.Count);
        foreach (var check in Checks)
        {
            WriteString(buffer, check.Name);
            WriteString(buffer, check.Sql);
        }
        WriteU16(buffer, ForeignKeys.Count);
        foreach (var key in ForeignKeys)
        {
            WriteString(buffer, key.Name);
            WriteString(buffer, key.ParentTable);
            buffer.Add((byte)key.OnDelete);
            WriteU16(buffer, key.Columns.Count);
            for (var i = 0; i < key.Columns.Count; i++)
            {
                WriteU16(buffer, key.Columns[i]);
                WriteU16(buffer, key.ParentColumns[i]);
            }
        }
        return buffer.ToArray();
    }

    public static TableSchema Deserialize(ReadOnlySpan<byte> data)
    {
        var pos = 0;
        var version = data[pos++];
        if (version != FormatVersion)
            throw new InvalidDataException($"catalog entry has format version {version}, expected {FormatVersion}");
        var name = ReadString(data, ref pos);
        var root = BinaryPrimitives.ReadUInt32LittleEndian(data[pos..]);
        pos += 4;
        var columnCount = ReadU16(data, ref pos);
        var columns = new List<ColumnSchema>(columnCount);
        for (var i = 0; i < columnCount; i++)
        {
            var columnName = ReadString(data, ref pos);
            var type = (SqlType)data[pos++];
            var flags = data[pos++];
            var defaultSql = (flags & 2) != 0 ? ReadString(data, ref pos) : null;
            columns.Add(new ColumnSchema(columnName, type, (flags & 1) != 0, i, defaultSql));
        }
        var keyCount = ReadU16(data, ref pos);
        var key = new List<int>(keyCount);
        for (var i = 0; i < keyCount; i++) key.Add(ReadU16(data, ref pos));
        var nextRowId = BinaryPrimitives.ReadInt64LittleEndian(data[pos..]);
        pos += 8;
        var checkCount = ReadU16(data, ref pos);
        var checks = new List<CheckConstraint>(checkCount);
        for (var i = 0; i < checkCount; i++) checks.Add(new CheckConstraint(ReadString(data, ref pos), ReadString(data, ref pos)));
        var foreignKeyCount = ReadU16(data, ref pos);
        var foreignKeys = new List<ForeignKey>(foreignKeyCount);
        for (var i = 0; i < foreignKeyCount; i++)
        {
            var keyName = ReadString(data, ref pos);
            var parent = ReadString(data, ref pos);
            var action = (ReferentialAction)data[pos++];
            var count = ReadU16(data, ref pos);
            var childColumns = new int[count];
            var parentColumns = new int[count];
            for (var c = 0; c < count; c++)
            {
                childColumns[c] = ReadU16(data, ref pos);
                parentColumns[c] = ReadU16(data, ref pos);
            }
            foreignKeys.Add(new ForeignKey(keyName, childColumns, parent, parentColumns, action));
        }
        return new TableSchema(name, columns, key, root, checks, foreignKeys) { NextRowId = nextRowId };
    }

    private static void WriteU16(List<byte> buffer, int value)
    {
        buffer.Add((byte)value);
        buffer.Add((byte)(value >> 8));
    }

    private static void WriteU32(List<byte> buffer, uint value)
    {
        for (var i = 0; i < 4; i++) buffer.Add((byte)(value >> (8 * i)));
    }

    private static void WriteString(List<byte> buffer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteU16(buffer, bytes.Length);
        buffer.AddRange(bytes);
    }

    private static int ReadU16(ReadOnlySpan<byte> data, ref int pos)
    {
        var value = BinaryPrimitives.ReadUInt16LittleEndian(data[pos..]);
        pos += 2;
        return value;
    }

    private static string ReadString(ReadOnlySpan<byte> data, ref int pos)
    {
        var length = ReadU16(data, ref pos);
        var value = Encoding.UTF8.GetString(data.Slice(pos, length));
        pos += length;
        return value;
    }
}
