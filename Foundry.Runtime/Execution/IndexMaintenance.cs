using System.Buffers.Binary;
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
                RuntimeErrors.ThrowDuplicateIndexKey(index.Name);
        }
        keys.WriteBlob(primaryKey);
        tree.Insert(keys.AsSpan(), primaryKey);
    }

    /// <summary>Memory the sort of an index build may hold before it spills sorted runs to temporary files.</summary>
    public const long BuildSortBudgetBytes = 32L << 20;

    /// <summary>
    /// Fills a new, empty index from every row of its table (CREATE INDEX): the entries are encoded,
    /// sorted (in memory up to <see cref="BuildSortBudgetBytes"/>, beyond that in sorted runs on disk
    /// merged by <see cref="ExternalSorter"/>) and written bottom-up by <see cref="BTree.BulkLoad"/>,
    /// which fills each page once instead of descending the tree and splitting for every row. A UNIQUE
    /// index is checked on the sorted stream: two rows collide exactly when neighbouring entries share
    /// their column prefix (NULLs never collide). Returns the number of entries.
    /// </summary>
    public static long Build(Pager pager, TableSchema table, IndexSchema index)
    {
        using var sorter = new ExternalSorter(BuildSortBudgetBytes);
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
                sorter.Add(keys.ToArray(), SortValue(primaryKey, prefixLength, hasNull));
            }
        }
        return new BTree(pager, index.RootPageId).BulkLoad(CheckedEntries(index, sorter.Sorted()));
    }

    /// <summary>The value carried through the sort: i32 column-prefix length, a has-NULL byte, then the primary key.</summary>
    private static byte[] SortValue(byte[] primaryKey, int prefixLength, bool hasNull)
    {
        var value = new byte[5 + primaryKey.Length];
        BinaryPrimitives.WriteInt32LittleEndian(value, prefixLength);
        value[4] = hasNull ? (byte)1 : (byte)0;
        primaryKey.CopyTo(value, 5);
        return value;
    }

    /// <summary>The sorted entries as the index stores them (key, primary key), rejecting duplicates of a UNIQUE index.</summary>
    private static IEnumerable<(byte[] Key, byte[] Value)> CheckedEntries(IndexSchema index, IEnumerable<(byte[] Key, byte[] Value)> sorted)
    {
        byte[]? previous = null;
        var previousPrefix = 0;
        foreach (var (key, value) in sorted)
        {
            int prefix = BinaryPrimitives.ReadInt32LittleEndian(value);
            var hasNull = value[4] != 0;
            if (index.Unique && !hasNull && previous is not null && previousPrefix == prefix
                && previous.AsSpan(0, prefix).SequenceEqual(key.AsSpan(0, prefix)))
                RuntimeErrors.ThrowDuplicateIndexKey(index.Name);
            (previous, previousPrefix) = (key, prefix);
            yield return (key, value[5..]);
        }
    }

    /// <summary>Removes the row's entries from every index of the table.</summary>
    public static void Remove(Pager pager, TableSchema table, ReadOnlySpan<byte> primaryKey, byte[] record)
    {
        foreach (var index in table.Indexes) new BTree(pager, index.RootPageId).Delete(EntryKey(table, index, primaryKey, record));
    }

    /// <summary>
    /// For a row updated in place (its primary key unchanged): removes the old entry from each index
    /// whose entry the new record changes, and returns those indexes, whose new entries the caller adds
    /// (<see cref="Add(Pager, TableSchema, IReadOnlyList{IndexSchema}, ReadOnlySpan{byte}, byte[])"/>)
    /// once every removal of the statement is done. Null when no entry changes: an UPDATE that assigns
    /// no indexed column does not touch the indexes.
    /// </summary>
    public static List<IndexSchema>? RemoveChanged(Pager pager, TableSchema table, ReadOnlySpan<byte> primaryKey, byte[] oldRecord, byte[] newRecord)
    {
        List<IndexSchema>? changed = null;
        foreach (var index in table.Indexes)
        {
            var oldEntry = EntryKey(table, index, primaryKey, oldRecord);
            if (oldEntry.AsSpan().SequenceEqual(EntryKey(table, index, primaryKey, newRecord))) continue;
            new BTree(pager, index.RootPageId).Delete(oldEntry);
            (changed ??= []).Add(index);
        }
        return changed;
    }

    /// <summary>Adds the row's entries to the given indexes of the table.</summary>
    public static void Add(Pager pager, TableSchema table, IReadOnlyList<IndexSchema> indexes, ReadOnlySpan<byte> primaryKey, byte[] record)
    {
        foreach (var index in indexes) Add(pager, table, index, primaryKey, record);
    }

    /// <summary>The key of the row's entry in <paramref name="index"/>: its indexed values, then its primary key.</summary>
    private static byte[] EntryKey(TableSchema table, IndexSchema index, ReadOnlySpan<byte> primaryKey, byte[] record)
    {
        var keys = new KeyWriter();
        RecordKeys.Encode(keys, table, index.Columns, record);
        keys.WriteBlob(primaryKey);
        return keys.ToArray();
    }
}
