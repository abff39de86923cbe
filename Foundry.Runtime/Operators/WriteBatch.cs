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
        // Old index entries go first, with the old rows they were derived from.
        foreach (var (oldKey, newKey, _) in _writes)
        {
            if (indexed && tree.TryGet(oldKey, out var oldRecord)) IndexMaintenance.Remove(context.Pager, table, oldKey, oldRecord);
            if (newKey is null || !oldKey.AsSpan().SequenceEqual(newKey)) tree.Delete(oldKey);
        }
        foreach (var (oldKey, newKey, record) in _writes)
        {
            if (newKey is null || record is null) continue;
            if (oldKey.AsSpan().SequenceEqual(newKey)) tree.Upsert(newKey, record);
            else if (!tree.Insert(newKey, record)) RuntimeErrors.ThrowDuplicateKey(table.Name, StorageAccess.DescribeKey(newKey));
            if (indexed) IndexMaintenance.Add(context.Pager, table, newKey, record);
            if (table.ForeignKeys.Count > 0) ForeignKeys.CheckParents(context.Pager, table, record);
        }
    }
}
