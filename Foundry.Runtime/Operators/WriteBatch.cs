using Foundry.Storage;

namespace Foundry.Runtime;

/// <summary>
/// Changes an UPDATE or DELETE collects while it reads the table, applied only after the read is
/// complete, so that the statement never sees its own changes (no row is updated twice, however its
/// new key sorts) and cursors are never invalidated mid-scan.
/// </summary>
public sealed class WriteBatch
{
    private readonly List<(byte[] OldKey, byte[]? NewKey, byte[]? Record)> _writes = [];

    public long Count => _writes.Count;

    public void Delete(byte[] key) => _writes.Add((key, null, null));

    public void Replace(byte[] oldKey, KeyWriter newKey, RecordWriter record) =>
        _writes.Add((oldKey, newKey.ToArray(), record.ToArray()));

    public void Replace(byte[] oldKey, byte[] newKey, byte[] record) => _writes.Add((oldKey, newKey, record));

    /// <summary>
    /// Applies the changes: deletions first, then updates (deleting every changed row's old key
    /// before inserting new keys, so that keys may be swapped between rows).
    /// </summary>
    public void Apply(StatementContext context, TableSchema table)
    {
        var tree = new BTree(context.Pager, table.RootPageId);
        var indexed = table.Indexes.Count > 0;
        var referenced = table.ReferencedBy.Count > 0;
        // Rows referencing a changed row are handled first (errors before anything is written here).
        if (referenced)
        {
            foreach (var (oldKey, _, record) in _writes)
                if (tree.TryGet(oldKey, out var oldRecord)) ForeignKeys.ParentChanging(context, table, oldRecord, record);
        }
        // Old index entries go first, with the old rows they were derived from. A row updated in place
        // changes only the indexes whose entries differ (null: none); any other row changes them all.
        var changedIndexes = indexed ? new List<IndexSchema>?[_writes.Count] : null;
        for (var i = 0; i < _writes.Count; i++)
        {
            var (oldKey, newKey, record) = _writes[i];
            var inPlace = newKey is not null && record is not null && oldKey.AsSpan().SequenceEqual(newKey);
            if (indexed && tree.TryGet(oldKey, out var oldRecord))
            {
                if (inPlace) changedIndexes![i] = IndexMaintenance.RemoveChanged(context.Pager, table, oldKey, oldRecord, record!);
                else IndexMaintenance.Remove(context.Pager, table, oldKey, oldRecord);
            }
            else if (indexed && inPlace)
            {
                changedIndexes![i] = table.Indexes; // no old row: every entry is new
            }
            if (!inPlace) tree.Delete(oldKey);
        }
        for (var i = 0; i < _writes.Count; i++)
        {
            var (oldKey, newKey, record) = _writes[i];
            if (newKey is null || record is null) continue;
            var inPlace = oldKey.AsSpan().SequenceEqual(newKey);
            if (inPlace) tree.Upsert(newKey, record);
            else if (!tree.Insert(newKey, record)) RuntimeErrors.ThrowDuplicateKey(table.Name, StorageAccess.DescribeKey(newKey));
            if (indexed && !inPlace) IndexMaintenance.Add(context.Pager, table, newKey, record);
            else if (indexed && changedIndexes![i] is { } changed) IndexMaintenance.Add(context.Pager, table, changed, newKey, record);
            if (table.ForeignKeys.Count > 0) ForeignKeys.CheckParents(context.Pager, table, record);
        }
    }
}
