using System.Text;
using Foundry.Runtime;
using Foundry.Storage;

namespace Foundry.Engine;

/// <summary>
/// The catalog: table definitions stored in the database's catalog B+Tree (key: lower-cased table
/// name as UTF-8; value: <see cref="TableSchema.Serialize"/>), with an in-memory copy for binding.
/// The copy is rebuilt from the tree after a rollback, so it never shows a change that was undone.
/// </summary>
internal sealed class CatalogStore : ICatalog
{
    private readonly Pager _pager;
    private readonly Dictionary<string, TableSchema> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _savedRowIds = new(StringComparer.Ordinal);

    public CatalogStore(Pager pager)
    {
        _pager = pager;
        Reload();
    }

    private BTree Tree => new(_pager, _pager.CatalogRootPageId);

    public TableSchema? FindTable(string name) => _tables.GetValueOrDefault(TableSchema.CatalogKey(name));

    public IReadOnlyList<TableSchema> Tables => _tables.Values.OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Creates the table's B+Tree and records its definition.</summary>
    public TableSchema Create(TableSchema definition)
    {
        var table = definition.WithRootPage(BTree.Create(_pager));
        Tree.Upsert(KeyOf(table.Name), table.Serialize());
        _tables[TableSchema.CatalogKey(table.Name)] = table;
        _savedRowIds[TableSchema.CatalogKey(table.Name)] = table.NextRowId;
        return table;
    }

    /// <summary>Frees the table's pages and removes its definition.</summary>
    public void Drop(TableSchema table)
    {
        new BTree(_pager, table.RootPageId).Drop();
        Tree.Delete(KeyOf(table.Name));
        _tables.Remove(TableSchema.CatalogKey(table.Name));
        _savedRowIds.Remove(TableSchema.CatalogKey(table.Name));
    }

    /// <summary>Writes back the definitions of rowid tables whose next rowid moved, before a commit.</summary>
    public void SaveRowIds()
    {
        foreach (var (key, table) in _tables)
        {
            if (!table.HasRowId || _savedRowIds.GetValueOrDefault(key) == table.NextRowId) continue;
            Tree.Upsert(KeyOf(table.Name), table.Serialize());
            _savedRowIds[key] = table.NextRowId;
        }
    }

    /// <summary>Rebuilds the in-memory copy from the catalog tree.</summary>
    public void Reload()
    {
        _tables.Clear();
        _savedRowIds.Clear();
        using var cursor = Tree.OpenCursor();
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            var table = TableSchema.Deserialize(cursor.Value);
            var key = TableSchema.CatalogKey(table.Name);
            _tables[key] = table;
            _savedRowIds[key] = table.NextRowId;
        }
    }

    private static byte[] KeyOf(string name) => Encoding.UTF8.GetBytes(TableSchema.CatalogKey(name));
}
