using Foundry.Storage;

namespace Foundry.Runtime;

/// <summary>
/// Enforces FOREIGN KEY constraints where rows are written (<see cref="StorageAccess.InsertRow"/>,
/// <see cref="WriteBatch.Apply"/>):
/// <list type="bullet">
/// <item>a child row's key columns, unless one is NULL, must match a parent row (found by the parent's
/// primary key, or by the unique index on the referenced columns);</item>
/// <item>before a parent row goes (DELETE) or its referenced values change (UPDATE), the child rows
/// that reference it are found (through an index on the child's key columns when there is one, else
/// by scanning the child) and the key's ON DELETE action applies: NO ACTION / RESTRICT make it an error,
/// CASCADE deletes them, SET NULL clears their key columns. UPDATE of referenced values is NO ACTION.</item>
/// </list>
/// </summary>
public static class ForeignKeys
{
    /// <summary>Checks that every foreign key of the child row finds its parent row.</summary>
    public static void CheckParents(Pager pager, TableSchema child, byte[] record)
    {
        foreach (var key in child.ForeignKeys)
        {
            var keys = new KeyWriter();
            if (RecordKeys.Encode(keys, child, key.Columns, record)) continue; // a NULL part: no reference
            var parent = key.Parent ?? throw new InvalidOperationException($"Foundry bug: foreign key {key.Name} has no resolved parent table");
            if (!ParentExists(pager, parent, key, keys.ToArray()))
                throw new FoundryRuntimeException(RuntimeErrors.ForeignKeyViolation,
                    $"insert or update on table \"{child.Name}\" violates foreign key constraint \"{key.Name}\": no row of \"{parent.Name}\" matches");
        }
    }

    private static bool ParentExists(Pager pager, TableSchema parent, ForeignKey key, byte[] encoded)
    {
        if (parent.PrimaryKey.SequenceEqual(key.ParentColumns))
            return new BTree(pager, parent.RootPageId).TryGet(encoded, out _);
        var index = parent.Indexes.FirstOrDefault(i => i.Unique && i.Columns.SequenceEqual(key.ParentColumns))
            ?? throw new InvalidOperationException($"Foundry bug: foreign key {key.Name} references columns with no unique index");
        using var cursor = new BTree(pager, index.RootPageId).OpenCursor();
        return cursor.Seek(encoded) && cursor.Key.StartsWith(encoded);
    }

    /// <summary>
    /// A parent row is going away (`newRecord` null) or being replaced: applies every referencing key's
    /// action to the child rows that match the old row's referenced values.
    /// </summary>
    public static void ParentChanging(StatementContext context, TableSchema parent, byte[] oldRecord, byte[]? newRecord)
    {
        foreach (var (child, key) in parent.ReferencedBy)
        {
            var keys = new KeyWriter();
            if (RecordKeys.Encode(keys, parent, key.ParentColumns, oldRecord)) continue;
            var referenced = keys.ToArray();
            if (newRecord is not null)
            {
                var after = new KeyWriter();
                RecordKeys.Encode(after, parent, key.ParentColumns, newRecord);
                if (after.AsSpan().SequenceEqual(referenced)) continue; // referenced values unchanged
            }
            var children = FindChildren(context.Pager, child, key, referenced);
            if (children.Count == 0) continue;
            var action = newRecord is null ? key.OnDelete : ReferentialAction.NoAction;
            switch (action)
            {
                case ReferentialAction.Cascade:
                    var deletes = new WriteBatch();
                    foreach (var (childKey, _) in children) deletes.Delete(childKey);
                    deletes.Apply(context, child);
                    break;
                case ReferentialAction.SetNull:
                    var updates = new WriteBatch();
                    foreach (var (childKey, childRecord) in children) updates.Replace(childKey, childKey, RecordKeys.WithNulls(child, childRecord, key.Columns));
                    updates.Apply(context, child);
                    break;
                default:
                    throw new FoundryRuntimeException(RuntimeErrors.ForeignKeyViolation,
                        $"update or delete on table \"{parent.Name}\" violates foreign key constraint \"{key.Name}\" on table \"{child.Name}\": {children.Count} row(s) still reference it");
            }
        }
    }

    /// <summary>The (key, record) of every child row whose key columns encode to `referenced`.</summary>
    private static List<(byte[] Key, byte[] Record)> FindChildren(Pager pager, TableSchema child, ForeignKey key, byte[] referenced)
    {
        var found = new List<(byte[], byte[])>();
        var table = new BTree(pager, child.RootPageId);
        var index = child.Indexes.FirstOrDefault(i => i.Columns.Take(key.Columns.Count).SequenceEqual(key.Columns));
        if (index is not null)
        {
            using var cursor = new BTree(pager, index.RootPageId).OpenCursor();
            for (var ok = cursor.Seek(referenced); ok && cursor.Key.StartsWith(referenced); ok = cursor.Next())
            {
                var rowKey = cursor.Value.ToArray();
                if (table.TryGet(rowKey, out var record)) found.Add((rowKey, record));
            }
            return found;
        }
        var keys = new KeyWriter();
        using (var scan = table.OpenCursor())
        {
            for (var ok = scan.First(); ok; ok = scan.Next())
            {
                var record = scan.Value.ToArray();
                if (!RecordKeys.Encode(keys, child, key.Columns, record) && keys.AsSpan().SequenceEqual(referenced))
                    found.Add((scan.Key.ToArray(), record));
            }
        }
        return found;
    }
}
