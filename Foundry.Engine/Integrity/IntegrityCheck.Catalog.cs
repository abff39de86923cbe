using System.Text;
using Foundry.Runtime;
using Foundry.Storage;

namespace Foundry.Engine;

public static partial class IntegrityCheck
{
    /// <summary>Rejects malformed UTF-8 instead of substituting U+FFFD, so damaged names and TEXT are reported.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The catalog as decoded for the check: tables with their indexes attached, indexes whose table is
    /// missing, and views. <see cref="Readable"/> is false when the catalog tree itself is damaged, in which
    /// case the lists hold nothing and page ownership cannot be checked.
    /// </summary>
    private sealed class CatalogContents
    {
        public bool Readable { get; set; }
        public List<TableSchema> Tables { get; } = [];
        /// <summary>Indexes that cannot be attached to a table (IC1), with the reason; still checked as trees.</summary>
        public List<(IndexSchema Index, string Problem)> OrphanIndexes { get; } = [];
        public List<(string Name, string Sql)> Views { get; } = [];
        /// <summary>Tables with an ANALYZE row count ('s' entries), by catalog key.</summary>
        public List<string> Analyzed { get; } = [];
    }

    /// <summary>Validates the catalog tree and decodes its entries (key format: see CatalogStore).</summary>
    private static CatalogContents CheckCatalog(Pager pager, IntegrityReport report)
    {
        var o = report.Add(IntegrityObjectKind.Catalog, "catalog");
        var contents = new CatalogContents();
        Guard(o, () =>
        {
            if (OpenTree(pager, pager.CatalogRootPageId, o) is not { } tree) return;
            o.AddFaults(tree.Validate());
            if (!o.Ok)
            {
                o.Summary = $"root page {tree.RootPageId}";
                o.Note("catalog entries were not read: its tree is damaged, so no table or index was checked");
                return;
            }
            var indexes = new List<IndexSchema>();
            using (var cursor = tree.OpenCursor())
            {
                for (var ok = cursor.First(); ok; ok = cursor.Next())
                {
                    o.Entries++;
                    DecodeEntry(cursor.Key.ToArray(), cursor.Value.ToArray(), contents, indexes, o);
                }
            }
            var tables = contents.Tables.ToDictionary(t => TableSchema.CatalogKey(t.Name), StringComparer.Ordinal);
            foreach (var name in contents.Analyzed.Where(n => !tables.ContainsKey(n)))
                o.Fault($"IC1 catalog has an ANALYZE row count for table '{name}', which is not in the catalog");
            foreach (var index in indexes)
            {
                if (!tables.TryGetValue(TableSchema.CatalogKey(index.Table), out var table))
                    contents.OrphanIndexes.Add((index, $"index {index.Name} belongs to table {index.Table}, which is not in the catalog"));
                else if (index.Columns.FirstOrDefault(c => c >= table.Columns.Count, -1) is var bad and >= 0)
                    contents.OrphanIndexes.Add((index, $"index {index.Name} names column {bad} of table {table.Name}, which has {table.Columns.Count} columns"));
                else
                    table.Indexes.Add(index);
            }
            contents.Tables.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
            contents.Views.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
            contents.Readable = true;
            o.Summary = $"{Shape(tree)}, {contents.Tables.Count} tables, {indexes.Count} indexes, {contents.Views.Count} views";
        });
        return contents;
    }

    private static void DecodeEntry(byte[] key, byte[] value, CatalogContents contents, List<IndexSchema> indexes, IntegrityObjectReport o)
    {
        string name;
        try
        {
            name = key.Length > 1 ? StrictUtf8.GetString(key, 1, key.Length - 1) : throw new InvalidDataException("the key has no name");
        }
        catch (Exception e) when (e is DecoderFallbackException or InvalidDataException)
        {
            o.Fault($"IC1 catalog key {DescribeBytes(key)} is malformed: {e.Message}");
            return;
        }
        try
        {
            switch ((char)key[0])
            {
                case 't':
                    var table = TableSchema.Deserialize(value);
                    ExpectName(table.Name, name, "table");
                    CheckTableDefinition(table);
                    contents.Tables.Add(table);
                    break;
                case 'i':
                    var index = IndexSchema.Deserialize(value);
                    ExpectName(index.Name, name, "index");
                    indexes.Add(index);
                    break;
                case 'v':
                    contents.Views.Add((name, StrictUtf8.GetString(value)));
                    break;
                case 's':
                    if (value.Length != 8 || System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(value) < 0)
                        throw new InvalidDataException($"a row count is 8 bytes holding a non-negative number, not {DescribeBytes(value)}");
                    contents.Analyzed.Add(name);
                    break;
                default:
                    throw new InvalidDataException($"unknown kind 0x{key[0]:x2}");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            o.Fault($"IC1 catalog entry '{name}' (kind 0x{key[0]:x2}) cannot be decoded: {e.Message}");
        }
    }

    private static void ExpectName(string stored, string key, string kind)
    {
        if (TableSchema.CatalogKey(stored) != key)
            throw new InvalidDataException($"the {kind} definition is named '{stored}', but its catalog key says '{key}'");
    }

    private static void CheckTableDefinition(TableSchema table)
    {
        foreach (var column in table.Columns)
        {
            if (!Enum.IsDefined(column.Type))
                throw new InvalidDataException($"column {column.Name} has unknown type {(byte)column.Type}");
        }
        if (table.PrimaryKey.FirstOrDefault(c => c >= table.Columns.Count, -1) is var bad and >= 0)
            throw new InvalidDataException($"primary key names column {bad}, but the table has {table.Columns.Count} columns");
    }
}
