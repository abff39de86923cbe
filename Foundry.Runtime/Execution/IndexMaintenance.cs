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

    /// <summary>
    /// Fills a new, empty index from every row of its table (CREATE INDEX): the entries are encoded,
    /// sorted in memory and written bottom-up by <see cref="BTree.BulkLoad"/>, which fills each page once
    /// instead of descending the tree and splitting for every row. A UNIQUE index is checked on the sorted
    /// entries: two rows collide exactly when neighbouring entries share their column prefix (NULLs never
    /// collide). Returns the number of entries.
    /// </summary>
    public static long Build(Pager pager, TableSchema table, IndexSchema index)
    {
        var entries = new List<(byte[] Key, byte[] Value, int PrefixLength, bool HasNull)>();
        var keys = new KeyWriter();
        using (var cursor = new BTree(pager, table.RootPageId).OpenCursor())
        {
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                var primaryKey = cursor.Key.ToArray();
                keys.Reset();
                var hasNull = RecordKeys.Encode(keys, table, index.Columns, cursor.Value.ToArray());
                var prefixLength = keys.Length;
                keys.WriteBlob(primaryKey);
                entries.Add((keys.ToArray(), primaryKey, prefixLength, hasNull));
            }
        }
        entries.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        if (index.Unique)
        {
            for (var i = 1; i < entries.Count; i++)
            {
                var (previous, current) = (entries[i - 1], entries[i]);
                if (!current.HasNull && previous.PrefixLength == current.PrefixLength
                    && previous.Key.AsSpan(0, previous.PrefixLength).SequenceEqual(current.Key.AsSpan(0, current.PrefixLength)))
                    throw new FoundryRuntimeException(RuntimeErrors.DuplicateKey, $"duplicate key value violates unique index \"{index.Name}\"");
            }
        }
        return new BTree(pager, index.RootPageId).BulkLoad(entries.Select(e => (e.Key, e.Value)));
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
