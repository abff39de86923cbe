using Foundry.Storage;

namespace Foundry.Runtime;

/// <summary>
/// Encodes chosen columns of a stored record as an order-preserving key: the entries of secondary
/// indexes, the lookups of foreign keys. Also rewrites a record with columns set to NULL (ON DELETE
/// SET NULL).
/// </summary>
public static class RecordKeys
{
    /// <summary>Resets `keys` and writes the columns `ordinals` of `record`; true when one of them is NULL.</summary>
    public static bool Encode(KeyWriter keys, TableSchema table, IReadOnlyList<int> ordinals, byte[] record)
    {
        keys.Reset();
        var hasNull = false;
        foreach (var ordinal in ordinals)
        {
            if (RecordReader.IsNull(record, 0, ordinal))
            {
                keys.WriteNull();
                hasNull = true;
                continue;
            }
            switch (table.Columns[ordinal].Type)
            {
                case SqlType.Integer: keys.WriteInt64(RecordReader.GetInt64(record, 0, ordinal)); break;
                case SqlType.Real: keys.WriteDouble(RecordReader.GetDouble(record, 0, ordinal)); break;
                case SqlType.Text: keys.WriteText(RecordReader.GetText(record, 0, ordinal)); break;
                case SqlType.Boolean: keys.WriteBoolean(RecordReader.GetBoolean(record, 0, ordinal)); break;
                case SqlType.Blob: keys.WriteBlob(RecordReader.GetBlob(record, 0, ordinal)); break;
                default: keys.WriteNull(); break;
            }
        }
        return hasNull;
    }

    /// <summary>The record with the columns `ordinals` set to NULL and every other column kept.</summary>
    public static byte[] WithNulls(TableSchema table, byte[] record, IReadOnlyList<int> ordinals)
    {
        var writer = new RecordWriter().Begin(table.Columns.Count);
        for (var c = 0; c < table.Columns.Count; c++)
        {
            if (ordinals.Contains(c) || RecordReader.IsNull(record, 0, c))
            {
                writer.WriteNull();
                continue;
            }
            switch (table.Columns[c].Type)
            {
                case SqlType.Integer: writer.WriteInt64(RecordReader.GetInt64(record, 0, c)); break;
                case SqlType.Real: writer.WriteDouble(RecordReader.GetDouble(record, 0, c)); break;
                case SqlType.Text: writer.WriteText(RecordReader.GetText(record, 0, c)); break;
                case SqlType.Boolean: writer.WriteBoolean(RecordReader.GetBoolean(record, 0, c)); break;
                case SqlType.Blob: writer.WriteBlob(RecordReader.GetBlob(record, 0, c)); break;
                default: writer.WriteNull(); break;
            }
        }
        return writer.ToArray();
    }
}
