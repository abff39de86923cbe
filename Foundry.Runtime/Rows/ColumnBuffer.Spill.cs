namespace Foundry.Runtime;

/// <summary>
/// Rows of a buffer with known <see cref="Kinds"/> written to and read from spill files, and the
/// memory they are estimated to take.
///
/// Row format (little-endian, as BinaryWriter writes): per column, one byte 1 = NULL / 0 = value, then
/// for a value: Int64 8 bytes; Double 8 bytes (the bits, so -0.0 and NaN survive); Text its length in
/// UTF-16 units (7-bit encoded) and the UTF-16 units (lone surrogates survive, which UTF-8 would
/// replace); Blob its length (7-bit encoded) and its bytes.
/// </summary>
public sealed partial class ColumnBuffer
{
    /// <summary>Estimated managed bytes of a string or array's header and length.</summary>
    private const int ObjectHeaderBytes = 24;

    /// <summary>Bytes one row takes in the value and NULL arrays (references count their pointer only).</summary>
    public int FixedRowBytes => Kinds is null ? _int64s.Length * 25 : Kinds.Length * 9;

    /// <summary>Estimated bytes of the TEXT and BLOB values a row refers to.</summary>
    public long ReferenceBytes(int row)
    {
        long bytes = 0;
        for (var c = 0; c < _references.Length; c++)
        {
            switch (_references[c]?[row])
            {
                case string s: bytes += ObjectHeaderBytes + 2L * s.Length; break;
                case byte[] b: bytes += ObjectHeaderBytes + b.Length; break;
            }
        }
        return bytes;
    }

    public long RowBytes(int row) => FixedRowBytes + ReferenceBytes(row);

    public void WriteRow(BinaryWriter writer, int row)
    {
        var kinds = KindsForSpill();
        for (var c = 0; c < kinds.Length; c++)
        {
            if (_nulls[c][row])
            {
                writer.Write((byte)1);
                continue;
            }
            writer.Write((byte)0);
            switch (kinds[c])
            {
                case ColumnKind.Int64: writer.Write(_int64s[c][row]); break;
                case ColumnKind.Double: writer.Write(BitConverter.DoubleToInt64Bits(_doubles[c][row])); break;
                case ColumnKind.Text: RowKeyCodec.WriteText(writer, (string)_references[c][row]!); break;
                default: RowKeyCodec.WriteBlob(writer, (byte[])_references[c][row]!); break;
            }
        }
    }

    /// <summary>Reads one row written by <see cref="WriteRow"/> into an existing row.</summary>
    public void ReadRow(BinaryReader reader, int row)
    {
        var kinds = KindsForSpill();
        for (var c = 0; c < kinds.Length; c++)
        {
            var isNull = reader.ReadByte() != 0;
            _nulls[c][row] = isNull;
            if (isNull)
            {
                if (_references[c] is { } refs) refs[row] = null;
                continue;
            }
            switch (kinds[c])
            {
                case ColumnKind.Int64: _int64s[c][row] = reader.ReadInt64(); break;
                case ColumnKind.Double: _doubles[c][row] = BitConverter.Int64BitsToDouble(reader.ReadInt64()); break;
                case ColumnKind.Text: _references[c][row] = RowKeyCodec.ReadText(reader); break;
                default: _references[c][row] = RowKeyCodec.ReadBlob(reader); break;
            }
        }
    }

    /// <summary>Copies row `from` of `source` (a buffer of the same kinds) into row `to` of this one.</summary>
    public void CopyRow(ColumnBuffer source, int from, int to)
    {
        var kinds = KindsForSpill();
        for (var c = 0; c < kinds.Length; c++)
        {
            _nulls[c][to] = source._nulls[c][from];
            switch (kinds[c])
            {
                case ColumnKind.Int64: _int64s[c][to] = source._int64s[c][from]; break;
                case ColumnKind.Double: _doubles[c][to] = source._doubles[c][from]; break;
                default: _references[c][to] = source._references[c][from]; break;
            }
        }
    }

    private ColumnKind[] KindsForSpill() =>
        Kinds ?? throw new InvalidOperationException("Foundry bug: a buffer made without column kinds cannot spill");
}
