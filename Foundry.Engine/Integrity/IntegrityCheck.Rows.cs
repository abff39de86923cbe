using System.Globalization;
using Foundry.Runtime;
using Foundry.Storage;

namespace Foundry.Engine;

public static partial class IntegrityCheck
{
    private const int ProgressEveryRows = 65536;

    /// <summary>The table's tree (BT1–BT12), then every row (IC2). Returns the tree when it is sound enough to cross-check indexes against.</summary>
    private static BTree? CheckTable(Pager pager, TableSchema table, IntegrityObjectReport o, IProgress<IntegrityProgress>? progress)
    {
        if (OpenTree(pager, table.RootPageId, o) is not { } tree) return null;
        o.AddFaults(tree.Validate());
        if (!o.Ok)
        {
            o.Summary = $"root page {table.RootPageId}";
            o.Note("rows not read and indexes not cross-checked: the tree is damaged");
            return null;
        }
        using (var cursor = tree.OpenCursor())
        {
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                var key = cursor.Key.ToArray();
                if (CheckRow(table, key, cursor.Value.ToArray()) is { } problem) o.Fault($"IC2 row {DescribeKey(key)}: {problem}");
                if (++o.Entries % ProgressEveryRows == 0) progress?.Report(new IntegrityProgress($"table {table.Name}", o.Entries, 0));
            }
        }
        o.Summary = $"{Shape(tree)}, {o.Entries} rows";
        return tree;
    }

    /// <summary>What is wrong with one row (IC2), or null.</summary>
    private static string? CheckRow(TableSchema table, byte[] key, byte[] record)
    {
        if (CheckRecordLayout(table, record) is { } layout) return layout;
        int stored = RecordReader.ColumnCount(record, 0);
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var column = table.Columns[i];
            if (i >= stored)
            {
                if (column.NotNull) return $"column {column.Name} is missing from the record but declared NOT NULL";
                continue;
            }
            if (RecordReader.IsNull(record, 0, i))
            {
                if (column.NotNull) return $"column {column.Name} is NULL but declared NOT NULL";
                RecordReader.ColumnOffset(record, 0, i, out int length);
                if (length != 0) return $"column {column.Name} is NULL but holds {length} bytes";
                continue;
            }
            if (CheckColumnBytes(table, record, i) is { } problem) return problem;
        }
        if (table.HasRowId)
            return KeyReader.Decode(key) is [long] ? null : $"the key of a rowid table is not one INTEGER";
        var keys = new KeyWriter();
        RecordKeys.Encode(keys, table, table.PrimaryKey, record);
        return keys.AsSpan().SequenceEqual(key) ? null : $"the key does not match the row's primary-key columns, which encode as {DescribeKey(keys.ToArray())}";
    }

    /// <summary>
    /// What is wrong with a record's header and end offsets, or null: no more columns than the table, a valid
    /// offset width and the smallest that holds the record (as the writer chooses), end offsets that never
    /// decrease, and the last column ending exactly at the record's end.
    /// </summary>
    private static string? CheckRecordLayout(TableSchema table, byte[] record)
    {
        if (record.Length < 2) return $"the record is {record.Length} bytes, too short for its header word";
        // A record written before ALTER TABLE ADD COLUMN has fewer columns (the new ones read as NULL).
        int stored = RecordReader.ColumnCount(record, 0);
        if (stored > table.Columns.Count) return $"the record has {stored} columns, the table has {table.Columns.Count}";
        int width = RecordReader.OffsetWidth(record, 0);
        if (width == 0) return "the record's header has offset width code 3 (valid codes: 0, 1, 2)";
        int headerSize = RecordReader.HeaderSize(stored, width);
        if (record.Length < headerSize) return $"the record is {record.Length} bytes, shorter than its {headerSize}-byte header";
        int end = headerSize;
        for (var i = 0; i < stored; i++)
        {
            int start = RecordReader.ColumnOffset(record, 0, i, out int length);
            if (length < 0 || start + length > record.Length)
                return $"column {table.Columns[i].Name} claims bytes [{start}, {start + length}), outside the record's {record.Length} bytes";
            end = start + length;
        }
        if (end != record.Length) return $"the record's last column ends at byte {end}, but the record has {record.Length} bytes";
        int expectedWidth = RecordWriter.OffsetWidth(stored, record.Length - headerSize);
        return width == expectedWidth ? null : $"the record has {width}-byte end offsets, but {expectedWidth}-byte ones hold its {record.Length} bytes";
    }

    /// <summary>What is wrong with non-NULL column i's bytes, or null: INTEGER in the fewest of 1–8 bytes, 8-byte REAL, 1-byte BOOLEAN, UTF-8 TEXT.</summary>
    private static string? CheckColumnBytes(TableSchema table, byte[] record, int i)
    {
        var column = table.Columns[i];
        int start = RecordReader.ColumnOffset(record, 0, i, out int length);
        switch (column.Type)
        {
            case SqlType.Integer when length is < 1 or > 8:
                return $"column {column.Name} (INTEGER) holds {length} bytes, expected 1 to 8";
            case SqlType.Integer:
                long value = RecordReader.GetInt64(record, 0, i);
                int fewest = RecordWriter.IntegerBytes(value);
                return length == fewest ? null : $"column {column.Name} (INTEGER) holds {value} in {length} bytes, expected {fewest}";
            case SqlType.Real when length != 8:
                return $"column {column.Name} (REAL) holds {length} bytes, expected 8";
            case SqlType.Boolean when length != 1:
                return $"column {column.Name} (BOOLEAN) holds {length} bytes, expected 1";
            case SqlType.Text when !IsValidUtf8(record.AsSpan(start, length)):
                return $"column {column.Name} (TEXT) is not valid UTF-8";
            default:
                return null;
        }
    }

    /// <summary>
    /// The index's tree, then the cross-check with its table (IC3–IC6) when both trees are sound.
    /// <paramref name="table"/> is null for an index whose table is missing (IC1, reported by the caller).
    /// </summary>
    private static void CheckIndex(Pager pager, TableSchema? table, BTree? tableTree, IndexSchema index, IntegrityObjectReport o, IProgress<IntegrityProgress>? progress)
    {
        var on = table is null ? index.Table : $"{table.Name} ({string.Join(", ", index.Columns.Select(c => table.Columns[c].Name))})";
        o.Summary = $"{(index.Unique ? "unique " : "")}on {on}, root page {index.RootPageId}";
        if (OpenTree(pager, index.RootPageId, o) is not { } tree) return;
        o.AddFaults(tree.Validate());
        if (!o.Ok)
        {
            o.Note("entries not cross-checked with the table: the index tree is damaged");
            return;
        }
        o.Summary += $", depth {tree.Depth}";
        if (table is null || tableTree is null)
        {
            o.Entries = tree.CountEntries();
            o.Summary += $", {o.Entries} entries";
            if (table is not null) o.Note($"entries not cross-checked: the tree of table {table.Name} is damaged");
            return;
        }
        long rows = CheckRowsHaveEntries(table, tableTree, index, tree, o, progress);
        CheckEntriesHaveRows(table, tableTree, index, tree, o, progress);
        if (o.Entries != rows) o.Fault($"IC5 index {index.Name} has {o.Entries} entries, table {table.Name} has {rows} rows");
        o.Summary += $", {o.Entries} entries";
    }

    /// <summary>IC3: each row's expected entry is in the index with the row's primary key as its value. Returns the row count.</summary>
    private static long CheckRowsHaveEntries(TableSchema table, BTree tableTree, IndexSchema index, BTree indexTree, IntegrityObjectReport o, IProgress<IntegrityProgress>? progress)
    {
        var keys = new KeyWriter();
        long rows = 0;
        using var cursor = tableTree.OpenCursor();
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            if (++rows % ProgressEveryRows == 0) progress?.Report(new IntegrityProgress($"index {index.Name}", rows, 0));
            var pk = cursor.Key.ToArray();
            var record = cursor.Value.ToArray();
            if (CheckRow(table, pk, record) is not null) continue; // reported under the table; its entry cannot be derived
            RecordKeys.Encode(keys, table, index.Columns, record);
            keys.WriteBlob(pk);
            if (!indexTree.TryGet(keys.AsSpan(), out var value))
                o.Fault($"IC3 row {DescribeKey(pk)} of table {table.Name} has no entry in index {index.Name} (expected key {DescribeKey(keys.ToArray())})");
            else if (!value.AsSpan().SequenceEqual(pk))
                o.Fault($"IC3 the entry of row {DescribeKey(pk)} in index {index.Name} holds primary key {DescribeKey(value)}");
        }
        return rows;
    }

    /// <summary>IC4 and IC6: each entry's row exists and gives exactly that entry; a UNIQUE index has no equal non-NULL values. Counts entries.</summary>
    private static void CheckEntriesHaveRows(TableSchema table, BTree tableTree, IndexSchema index, BTree indexTree, IntegrityObjectReport o, IProgress<IntegrityProgress>? progress)
    {
        var keys = new KeyWriter();
        byte[]? previousColumns = null, previousPk = null;
        using var cursor = indexTree.OpenCursor();
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            if (++o.Entries % ProgressEveryRows == 0) progress?.Report(new IntegrityProgress($"index {index.Name}", o.Entries, 0));
            var entry = cursor.Key.ToArray();
            var pk = cursor.Value.ToArray();
            if (!tableTree.TryGet(pk, out var record))
            {
                o.Fault($"IC4 entry {DescribeKey(entry)} of index {index.Name} points at primary key {DescribeKey(pk)}, which is not in table {table.Name}");
                previousColumns = null;
                continue;
            }
            if (CheckRow(table, pk, record) is not null) continue;
            bool hasNull = RecordKeys.Encode(keys, table, index.Columns, record);
            var columns = keys.ToArray();
            keys.WriteBlob(pk);
            if (!keys.AsSpan().SequenceEqual(entry))
                o.Fault($"IC4 entry {DescribeKey(entry)} of index {index.Name} is stale: its row {DescribeKey(pk)} gives key {DescribeKey(keys.ToArray())}");
            if (index.Unique && !hasNull && previousColumns is not null && columns.AsSpan().SequenceEqual(previousColumns))
                o.Fault($"IC6 unique index {index.Name} holds rows {DescribeKey(previousPk!)} and {DescribeKey(pk)} with equal values {DescribeKey(columns)}");
            (previousColumns, previousPk) = hasNull ? (null, null) : (columns, pk);
        }
    }

    private static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    /// <summary>An encoded key as SQL-ish values: <c>(1, 'a')</c>; hex when it does not decode.</summary>
    private static string DescribeKey(byte[] key)
    {
        object?[] parts;
        try
        {
            parts = KeyReader.Decode(key);
        }
        catch (StorageException)
        {
            return DescribeBytes(key);
        }
        var text = string.Join(", ", parts.Select(p => p switch
        {
            null => "NULL",
            bool b => b ? "TRUE" : "FALSE",
            long l => l.ToString(CultureInfo.InvariantCulture),
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            string s => $"'{Shorten(s.Replace("'", "''"))}'",
            byte[] bytes => $"x'{Shorten(Convert.ToHexString(bytes))}'",
            var other => other.ToString(),
        }));
        return $"({text})";
    }

    private static string DescribeBytes(byte[] bytes) => $"0x{Shorten(Convert.ToHexString(bytes))}";

    private static string Shorten(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
