using Foundry.Storage;

namespace Foundry.Runtime;

/// <summary>
/// Keeps a table's secondary indexes in step with its rows. Index entries are derived from the
/// row's record, so every path that writes rows (INSERT, UPDATE, DELETE, CREATE INDEX) goes through
/// here. A UNIQUE index rejects a second row with the same non-NULL values (NULLs never collide).
/// </summary>
public static class IndexMaintenance
{
    /// <summary>Adds the row's entries to every index of the table.</summary>
    public static void Add(Pager pager, TableSchema table, ReadOnlySpan<byte> primaryKey, byte[] record)
    {
        foreach (var index in table.Indexes) Add(pager, table, index, primaryKey, record);
    }

    public static void Add(Pager pager, TableSchema table, IndexSchema index, ReadOnlySpan<byte> primaryKey, byte[] record)
    {
        var keys = new KeyWriter();
        var hasNull = RecordKeys.Encode(keys, table, index.Columns, record);
        var prefix = keys.ToArray();
        var tree = new BTree(pager, index.RootPageId);
        if (index.Unique && !hasNull)
        {
            using var cursor = tree.OpenCursor();
            if (cursor.Seek(prefix) && cursor.Key.StartsWith(prefix))
                throw new FoundryRuntimeException(RuntimeErrors.DuplicateKey, $"duplicate key value violates unique index \"{index.Name}\"");
        }
        keys.WriteBlob(primaryKey);
        tree.Insert(keys.AsSpan(), primaryKey);
    }

    /// <summary>Removes the row's entries from every index of the table.</summary>
    public static void Remove(Pager pager, TableSchema table, ReadOnlySpan<byte> primaryKey, byte[] record)
    {
        foreach (var index in table.Indexes)
        {
            var keys = new KeyWriter();
            RecordKeys.Encode(keys, table, index.Columns, record);
            keys.WriteBlob(primaryKey);
            new BTree(pager, index.RootPageId).Delete(keys.AsSpan());
        }
    }
}
