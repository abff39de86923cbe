using Foundry.Storage;

namespace Foundry.Runtime;

/// <summary>
/// Storage operations called from generated code. Expression trees cannot pass spans, so these take
/// byte arrays and offsets and convert; each is small enough for the JIT to inline.
/// </summary>
public static class StorageAccess
{
    public static bool Seek(BTreeCursor cursor, KeyWriter key) => cursor.Seek(key.AsSpan());

    public static bool SeekBytes(BTreeCursor cursor, byte[] key) => cursor.Seek(key);

    /// <summary>Positions a table cursor on the row an index entry points at (the entry's value is the row's key).</summary>
    public static bool SeekRow(BTreeCursor table, BTreeCursor index)
    {
        var key = index.Value;
        return table.Seek(key) && table.Key.SequenceEqual(key);
    }

    /// <summary>A copy of the cursor's current value (through an index: the row's primary key).</summary>
    public static byte[] CurrentValue(BTreeCursor cursor) => cursor.Value.ToArray();

    /// <summary>An index entry's key parts: the index columns' values, then the row's primary key as bytes.</summary>
    public static object?[] DecodeKey(BTreeCursor cursor) => KeyReader.Decode(cursor.Key);

    /// <summary>The primary-key column values from an index entry's decoded key (its last part).</summary>
    public static object?[] DecodePrimaryKey(object?[] indexKey) => KeyReader.Decode((byte[])indexKey[^1]!);

    /// <summary>
    /// Compares the first <c>bound.Length</c> bytes of the cursor's current key with an encoded bound.
    /// Key components are self-delimiting, so for a bound on a leading key prefix the result is the
    /// order of the current row's prefix relative to the bound (0: the prefix equals it).
    /// </summary>
    public static int ComparePrefix(BTreeCursor cursor, byte[] bound)
    {
        var key = cursor.Key;
        var length = Math.Min(key.Length, bound.Length);
        var c = key[..length].SequenceCompareTo(bound);
        if (c != 0) return c;
        return key.Length < bound.Length ? -1 : 0;
    }

    /// <summary>A copy of the cursor's current key (the row's identity for UPDATE and DELETE).</summary>
    public static byte[] CurrentKey(BTreeCursor cursor) => cursor.Key.ToArray();

    /// <summary>Copies the writer's current key, for bounds kept across rows.</summary>
    public static byte[] KeyBytes(KeyWriter key) => key.ToArray();

    /// <summary>Inserts a row and its index entries; throws the duplicate-key error when its key is taken.</summary>
    public static void InsertRow(StatementContext context, TableSchema table, KeyWriter key, RecordWriter record)
    {
        var tree = new BTree(context.Pager, table.RootPageId);
        if (!tree.Insert(key.AsSpan(), record.AsSpan()))
            RuntimeErrors.ThrowDuplicateKey(table.Name, DescribeKey(key.AsSpan()));
        if (table.Indexes.Count > 0 || table.ForeignKeys.Count > 0)
        {
            var stored = record.ToArray();
            if (table.Indexes.Count > 0) IndexMaintenance.Add(context.Pager, table, key.AsSpan(), stored);
            if (table.ForeignKeys.Count > 0) ForeignKeys.CheckParents(context.Pager, table, stored);
        }
    }

    /// <summary>Appends a BLOB key part (expression trees cannot pass the span the writer takes).</summary>
    public static KeyWriter WriteBlobKey(KeyWriter key, byte[] value) => key.WriteBlob(value);

    /// <summary>Appends a BLOB value (expression trees cannot pass the span the writer takes).</summary>
    public static RecordWriter WriteBlob(RecordWriter record, byte[] value) => record.WriteBlob(value);

    /// <summary>Takes the next hidden rowid of a table without a declared primary key.</summary>
    public static long NextRowId(TableSchema table) => table.NextRowId++;

    public static string DescribeKey(ReadOnlySpan<byte> key)
    {
        var parts = KeyReader.Decode(key);
        return "(" + string.Join(", ", parts.Select(p => p switch
        {
            null => "NULL",
            string s => "'" + s.Replace("'", "''") + "'",
            double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            bool b => b ? "TRUE" : "FALSE",
            _ => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture),
        })) + ")";
    }
}
