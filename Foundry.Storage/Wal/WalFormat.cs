using System.Buffers.Binary;

namespace Foundry.Storage;

/// <summary>
/// Byte layout of the write-ahead log file (<c>app.foundry-wal</c>). All integers little-endian.
///
/// File header (64 bytes, rewritten only when the log is truncated at a checkpoint):
///
/// | offset | size | field         | meaning                                                            |
/// |--------|------|---------------|--------------------------------------------------------------------|
/// | 0      | 4    | checksum      | CRC-32C of bytes [4, 64)                                           |
/// | 4      | 8    | magic         | ASCII "FNDRYWAL"                                                   |
/// | 12     | 4    | version       | <see cref="Version"/>                                              |
/// | 16     | 4    | page size     | bytes per page of the database file                                |
/// | 20     | 8    | base LSN      | LSN of the first record, which starts at file offset 64            |
/// | 28     | 16   | header state  | page count, free-list head, free page count, catalog root at the checkpoint |
/// | 44     | 20   | reserved      | zero                                                               |
///
/// Records follow back to back from offset 64; a record's LSN is base LSN + (its offset − 64), so LSNs
/// grow across truncations and a record left over from before a truncation never has the LSN its
/// position implies.
///
/// | offset | size | field    | meaning                                                              |
/// |--------|------|----------|----------------------------------------------------------------------|
/// | 0      | 4    | checksum | CRC-32C of bytes [4, length)                                         |
/// | 4      | 4    | length   | header + payload bytes                                               |
/// | 8      | 8    | LSN      | must equal the LSN implied by the record's position                  |
/// | 16     | 8    | txn id   | transaction that wrote the record (0: none)                          |
/// | 24     | 1    | type     | <see cref="WalRecordType"/>                                          |
/// | 25     | 3    | reserved | zero                                                                 |
/// | 28     | 4    | page id  | page the image belongs to (0 for Commit/Abort)                       |
/// | 32     | n    | payload  | Redo/Undo: one whole page; Commit/Abort: 16-byte header state        |
///
/// A record is valid when its length is in range, it lies inside the file, its LSN matches its position
/// and its checksum matches. The log is the longest prefix of valid records; whatever follows (a torn
/// or garbage tail) is cut off by recovery.
/// </summary>
public static class WalFormat
{
    public const int FileHeaderSize = 64;
    public const int RecordHeaderSize = 32;
    public const uint Version = 1;
    public const int HeaderStateSize = 16;

    public static ReadOnlySpan<byte> Magic => "FNDRYWAL"u8;

    public static void WriteFileHeader(Span<byte> header, int pageSize, long baseLsn, in FileHeaderPage.State state)
    {
        header[..FileHeaderSize].Clear();
        Magic.CopyTo(header[4..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)pageSize);
        BinaryPrimitives.WriteInt64LittleEndian(header[20..], baseLsn);
        WriteState(header[28..], state);
        BinaryPrimitives.WriteUInt32LittleEndian(header, Crc32C.Compute(header[4..FileHeaderSize]));
    }

    /// <summary>True when the first 4 bytes of <paramref name="block"/> (a file header or a whole record) are the CRC-32C of the rest.</summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> block) =>
        block.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(block) == Crc32C.Compute(block[4..]);

    /// <summary>Parses a file header; false when it is short, has the wrong magic or version, or fails its checksum.</summary>
    public static bool TryReadFileHeader(ReadOnlySpan<byte> header, out int pageSize, out long baseLsn, out FileHeaderPage.State state)
    {
        pageSize = 0;
        baseLsn = 0;
        state = default;
        if (header.Length < FileHeaderSize
            || !ChecksumMatches(header[..FileHeaderSize])
            || !header.Slice(4, 8).SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) != Version)
        {
            return false;
        }
        pageSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        baseLsn = BinaryPrimitives.ReadInt64LittleEndian(header[20..]);
        state = ReadState(header[28..]);
        return FileHeaderPage.IsValidPageSize(pageSize) && baseLsn > 0;
    }

    public static void WriteState(Span<byte> destination, in FileHeaderPage.State state)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, state.PageCount);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], state.FreeListHead);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], state.FreePageCount);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], state.CatalogRoot);
    }

    public static FileHeaderPage.State ReadState(ReadOnlySpan<byte> source) => new()
    {
        PageCount = BinaryPrimitives.ReadUInt32LittleEndian(source),
        FreeListHead = BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
        FreePageCount = BinaryPrimitives.ReadUInt32LittleEndian(source[8..]),
        CatalogRoot = BinaryPrimitives.ReadUInt32LittleEndian(source[12..]),
    };

    /// <summary>Encodes a whole record (header, payload, checksum) at the start of <paramref name="record"/>, which needs RecordHeaderSize + payload.Length bytes.</summary>
    public static void EncodeRecord(Span<byte> record, long lsn, ulong txnId, WalRecordType type, uint pageId, ReadOnlySpan<byte> payload)
    {
        int length = RecordHeaderSize + payload.Length;
        record = record[..length];
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], length);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], lsn);
        BinaryPrimitives.WriteUInt64LittleEndian(record[16..], txnId);
        record[24] = (byte)type;
        record[25..28].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(record[28..], pageId);
        payload.CopyTo(record[RecordHeaderSize..]);
        BinaryPrimitives.WriteUInt32LittleEndian(record, Crc32C.Compute(record[4..]));
    }
}

/// <summary>Kinds of WAL records.</summary>
public enum WalRecordType : byte
{
    /// <summary>After-image of a page: redo writes it. Also used for compensation after a rollback.</summary>
    Redo = 1,

    /// <summary>Before-image of a page, logged the first time a statement dirties the page: undo writes it.</summary>
    Undo = 2,

    /// <summary>The transaction committed; payload is the file-header state after it.</summary>
    Commit = 3,

    /// <summary>The transaction was rolled back and its compensation images precede this; payload is the header state.</summary>
    Abort = 4,

    /// <summary>
    /// After-image of a page as a <see cref="PageDelta"/> against its previous logged state; only written
    /// for a page that already has a full Redo image since the log was last emptied.
    /// </summary>
    RedoDelta = 5,
}

/// <summary>One record found by <see cref="WriteAheadLog.Scan"/>; the payload stays in the file until read.</summary>
public readonly record struct WalRecordInfo(long Lsn, long FileOffset, int Length, ulong TxnId, WalRecordType Type, uint PageId);
