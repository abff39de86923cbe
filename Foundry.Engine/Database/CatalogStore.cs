using System.Buffers.Binary;
using System.Text;
using Foundry.Runtime;
using Foundry.Storage;

namespace Foundry.Engine;

/// <summary>
/// The catalog: definitions stored in the database's catalog B+Tree, with an in-memory copy for
/// binding. Keys are a one-byte kind and the lower-cased name as UTF-8:
/// <code>
/// 't' name  -> TableSchema.Serialize()
/// 'v' name  -> the view's defining query, UTF-8
/// 'i' name  -> IndexSchema.Serialize()
/// 's' name  -> the table's row count at its last ANALYZE, i64 little-endian (a table never analyzed has none)
/// </code>
/// The copy is rebuilt from the tree after a rollback, so it never shows a change that was undone.
/// </summary>
internal sealed class CatalogStore : ICatalog
{
    private const byte TableKind = (byte)'t';
    private const byte ViewKind = (byte)'v';
    private const byte IndexKind = (byte)'i';
    private const byte StatisticsKind = (byte)'s';

    private readonly Pager _pager;
    private readonly Dictionary<string, TableSchema> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _savedRowIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _views = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IndexSchema> _indexes = new(StringComparer.Ordinal);

    public CatalogStore(Pager pager)
    {
        _pager = pager;
        Reload();
    }

    private BTree Tree => new(_pager, _pager.CatalogRootPageId);

    /// <summary>Changes whenever the definitions (or the objects that hold them) are replaced.</summary>
    public long Version { get; private set; }

    public TableSchema? FindTable(string name) => _tables.GetValueOrDefault(TableSchema.CatalogKey(name));

    public string? FindView(string name) => _views.GetValueOrDefault(TableSchema.CatalogKey(name));

    public bool IndexExists(string name) => _indexes.ContainsKey(TableSchema.CatalogKey(name));

    public IReadOnlyList<TableSchema> Tables => _tables.Values.OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase).ToList();

    public IReadOnlyDictionary<string, string> Views => _views;

    /// <summary>Creates the table's B+Tree and records its definition.</summary>
    public TableSchema CreateTable(TableSchema definition)
    {
        Version++;
        var table = definition.WithRootPage(BTree.Create(_pager));
        Tree.Upsert(KeyOf(TableKind, table.Name), table.Serialize());
        _tables[TableSchema.CatalogKey(table.Name)] = table;
        _savedRowIds[TableSchema.CatalogKey(table.Name)] = table.NextRowId;
        LinkForeignKeys(table);
        return table;
    }

    /// <summary>Frees the table's pages and its indexes' and removes their definitions.</summary>
    public void DropTable(TableSchema table)
    {
        Version++;
        foreach (var index in table.Indexes.ToList()) DropIndex(index);
        foreach (var key in table.ForeignKeys) key.Parent?.ReferencedBy.RemoveAll(r => ReferenceEquals(r.Child, table));
        new BTree(_pager, table.RootPageId).Drop();
        Tree.Delete(KeyOf(TableKind, table.Name));
        Tree.Delete(KeyOf(StatisticsKind, table.Name));
        _tables.Remove(TableSchema.CatalogKey(table.Name));
        _savedRowIds.Remove(TableSchema.CatalogKey(table.Name));
    }

    public void CreateView(string name, string sql)
    {
        Version++;
        Tree.Upsert(KeyOf(ViewKind, name), Encoding.UTF8.GetBytes(sql));
        _views[TableSchema.CatalogKey(name)] = sql;
    }

    public void DropView(string name)
    {
        Version++;
        Tree.Delete(KeyOf(ViewKind, name));
        _views.Remove(TableSchema.CatalogKey(name));
    }

    /// <summary>Creates an index's tree, fills it from the table's rows (sorted, bulk-loaded), and records it.</summary>
    public void CreateIndex(string name, TableSchema table, IReadOnlyList<int> columns, bool unique)
    {
        Version++;
        var index = new IndexSchema(name, table.Name, columns, unique, BTree.Create(_pager));
        IndexMaintenance.Build(_pager, table, index);
        Tree.Upsert(KeyOf(IndexKind, name), index.Serialize());
        _indexes[TableSchema.CatalogKey(name)] = index;
        table.Indexes.Add(index);
    }

    public void DropIndex(string name)
    {
        if (_indexes.GetValueOrDefault(TableSchema.CatalogKey(name)) is { } index) DropIndex(index);
    }

    private void DropIndex(IndexSchema index)
    {
        Version++;
        new BTree(_pager, index.RootPageId).Drop();
        Tree.Delete(KeyOf(IndexKind, index.Name));
        _indexes.Remove(TableSchema.CatalogKey(index.Name));
        FindTable(index.Table)?.Indexes.Remove(index);
    }

    /// <summary>
    /// Replaces a table's definition (ALTER TABLE): same tree, new columns or name. A new name moves the
    /// catalog entry and renames the table in its indexes' entries; the in-memory copy is then rebuilt so
    /// that every link (indexes, foreign keys) points at the new definition.
    /// </summary>
    public void AlterTable(string name, TableSchema definition)
    {
        Version++;
        var old = FindTable(name) ?? throw new InvalidOperationException($"Foundry bug: ALTER of missing table {name}");
        if (!string.Equals(TableSchema.CatalogKey(name), TableSchema.CatalogKey(definition.Name), StringComparison.Ordinal))
        {
            Tree.Delete(KeyOf(TableKind, name));
            Tree.Delete(KeyOf(StatisticsKind, name));
            if (old.AnalyzedRows is { } rows) Tree.Upsert(KeyOf(StatisticsKind, definition.Name), RowCountBytes(rows));
            foreach (var index in old.Indexes)
                Tree.Upsert(KeyOf(IndexKind, index.Name), new IndexSchema(index.Name, definition.Name, index.Columns, index.Unique, index.RootPageId).Serialize());
        }
        Tree.Upsert(KeyOf(TableKind, definition.Name), definition.Serialize());
        Reload();
    }

    /// <summary>ANALYZE: counts the table's rows and keeps the count for the planner (transactional, like any catalog change).</summary>
    public void Analyze(TableSchema table)
    {
        Version++; // prepared statements re-plan with the new estimate
        var rows = new BTree(_pager, table.RootPageId).CountEntries();
        Tree.Upsert(KeyOf(StatisticsKind, table.Name), RowCountBytes(rows));
        table.AnalyzedRows = rows;
    }

    /// <summary>Writes back the definitions of rowid tables whose next rowid moved, before a commit.</summary>
    public void SaveRowIds()
    {
        foreach (var (key, table) in _tables)
        {
            if (!table.HasRowId || _savedRowIds.GetValueOrDefault(key) == table.NextRowId) continue;
            Tree.Upsert(KeyOf(TableKind, table.Name), table.Serialize());
            _savedRowIds[key] = table.NextRowId;
        }
    }

    /// <summary>
    /// Rebuilds the in-memory copy from the catalog tree. The tree is read completely before the copy is
    /// replaced: a read that fails (a page that cannot be read or evicted, e.g. after the log failed on a
    /// full disk) leaves the copy as it was, never a catalog that looks empty.
    /// </summary>
    public void Reload()
    {
        var tables = new Dictionary<string, TableSchema>(StringComparer.Ordinal);
        var views = new Dictionary<string, string>(StringComparer.Ordinal);
        var indexes = new List<IndexSchema>();
        var analyzed = new List<(string Table, long Rows)>();
        using (var cursor = Tree.OpenCursor())
        {
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                var kind = cursor.Key[0];
                var name = Encoding.UTF8.GetString(cursor.Key[1..]);
                switch (kind)
                {
                    case TableKind:
                        tables[name] = TableSchema.Deserialize(cursor.Value);
                        break;
                    case ViewKind:
                        views[name] = Encoding.UTF8.GetString(cursor.Value);
                        break;
                    case IndexKind:
                        indexes.Add(IndexSchema.Deserialize(cursor.Value));
                        break;
                    case StatisticsKind:
                        analyzed.Add((name, BinaryPrimitives.ReadInt64LittleEndian(cursor.Value)));
                        break;
                    default:
                        throw new StorageException($"catalog entry '{name}' has unknown kind 0x{kind:x2}");
                }
            }
        }
        Version++;
        _tables.Clear();
        _savedRowIds.Clear();
        _views.Clear();
        _indexes.Clear();
        foreach (var (name, table) in tables)
        {
            _tables[name] = table;
            _savedRowIds[name] = table.NextRowId;
        }
        foreach (var (name, sql) in views) _views[name] = sql;
        foreach (var index in indexes)
        {
            _indexes[TableSchema.CatalogKey(index.Name)] = index;
            FindTable(index.Table)?.Indexes.Add(index);
        }
        foreach (var (name, rows) in analyzed)
        {
            if (FindTable(name) is { } table) table.AnalyzedRows = rows;
        }
        foreach (var table in _tables.Values) LinkForeignKeys(table);
    }

    /// <summary>Points the table's foreign keys at their parents and registers them there.</summary>
    private void LinkForeignKeys(TableSchema table)
    {
        foreach (var key in table.ForeignKeys)
        {
            key.Parent = FindTable(key.ParentTable);
            key.Parent?.ReferencedBy.Add((table, key));
        }
    }

    private static byte[] RowCountBytes(long rows)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, rows);
        return bytes;
    }

    private static byte[] KeyOf(byte kind, string name) => [kind, .. Encoding.UTF8.GetBytes(TableSchema.CatalogKey(name))];
}
