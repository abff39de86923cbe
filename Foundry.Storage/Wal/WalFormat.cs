using System.Buffers.Binary;

namespace Foundry.Storage;

/// <summary>
/// Byte layout of the write-ahead log file (<c>app.foundry-wal</c>). All integers little-endian. The file
/// is framed in 512-byte sectors (<see cref="WalSectors"/>): sector 0 holds this header, the others the
/// record stream.
///
/// File header (first 64 bytes of sector 0, the rest of it zero; rewritten only when the log is started
/// over, which a single-sector write does atomically):
///
/// | offset | size | field         | meaning                                                            |
/// |--------|------|---------------|--------------------------------------------------------------------|
/// | 0      | 4    | checksum      | CRC-32C of bytes [4, 64)                                           |
/// | 4      | 8    | magic         | ASCII "FNDRYWAL"                                                   |
/// | 12     | 4    | version       | <see cref="Version"/>                                              |
/// | 16     | 4    | page size     | bytes per page of the database file                                |
/// | 20     | 8    | base LSN      | LSN of the first stream byte, the first data byte of sector 1      |
/// | 28     | 16   | header state  | page count, free-list head, free page count, catalog root at the checkpoint |
/// | 44     | 8    | database id   | the id in the database file's header (<see cref="FileHeaderPage"/>): the log belongs to that file |
/// | 52     | 12   | reserved      | zero                                                               |
///
/// Records follow back to back in the stream from the base LSN; a record's LSN is its stream position,
/// so LSNs grow across truncations. The sector checksums cover the records.
///
/// | offset | size | field    | meaning                                                              |
/// |--------|------|----------|----------------------------------------------------------------------|
/// | 0      | 4    | reserved | zero                                                                 |
/// | 4      | 4    | length   | header + payload bytes                                               |
/// | 8      | 8    | LSN      | must equal the record's stream position                              |
/// | 16     | 8    | txn id   | transaction that wrote the record (0: none)                          |
/// | 24     | 1    | type     | <see cref="WalRecordType"/>                                          |
/// | 25     | 3    | reserved | zero                                                                 |
/// | 28     | 4    | page id  | page the image belongs to (0 for Commit/Abort)                       |
/// | 32     | n    | payload  | Redo/Undo: one whole page; Commit/Abort: 16-byte header state        |
///
/// What a scan accepts, cuts and refuses is in <see cref="WalScanner"/>.
/// </summary>
public static class WalFormat
{
    public const int FileHeaderSize = 64;
    public const int RecordHeaderSize = 32;

    /// <summary>2: sector framing and the database id (version 1 logs, written before them, are not read).</summary>
    public const uint Version = 2;

    public const int HeaderStateSize = 16;
    public const int DatabaseIdOffset = 44;

    public static ReadOnlySpan<byte> Magic => "FNDRYWAL"u8;

    public static void WriteFileHeader(Span<byte> header, int pageSize, long baseLsn, in FileHeaderPage.State state, ulong databaseId)
    {
        header[..FileHeaderSize].Clear();
        Magic.CopyTo(header[4..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)pageSize);
        BinaryPrimitives.WriteInt64LittleEndian(header[20..], baseLsn);
        WriteState(header[28..], state);
        BinaryPrimitives.WriteUInt64LittleEndian(header[DatabaseIdOffset..], databaseId);
        BinaryPrimitives.WriteUInt32LittleEndian(header, Crc32C.Compute(header[4..FileHeaderSize]));
    }

    /// <summary>A parsed file header.</summary>
    public readonly record struct FileHeader(int PageSize, long BaseLsn, FileHeaderPage.State State, ulong DatabaseId);

    /// <summary>
    /// Parses a file header; null with <paramref name="problem"/> set when it is short, fails its checksum,
    /// has the wrong magic or version, or holds an impossible page size or base LSN.
    /// </summary>
    public static FileHeader? TryReadFileHeader(ReadOnlySpan<byte> header, out string problem)
    {
        if (header.Length < FileHeaderSize)
        {
            problem = $"the file is {header.Length} bytes long, shorter than the {FileHeaderSize}-byte header";
            return null;
        }
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(header);
        uint computed = Crc32C.Compute(header[4..FileHeaderSize]);
        if (stored != computed)
        {
            problem = $"header checksum mismatch at offset 0 (stored 0x{stored:X8}, computed 0x{computed:X8})";
            return null;
        }
        if (!header.Slice(4, 8).SequenceEqual(Magic))
        {
            problem = $"bad magic at offset 4 (expected \"FNDRYWAL\", found {Convert.ToHexString(header.Slice(4, 8))})";
            return null;
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (version != Version)
        {
            problem = $"log format version {version} at offset 12; this build reads version {Version}";
            return null;
        }
        int pageSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        long baseLsn = BinaryPrimitives.ReadInt64LittleEndian(header[20..]);
        if (!FileHeaderPage.IsValidPageSize(pageSize) || baseLsn <= 0)
        {
            problem = $"impossible page size {pageSize} (offset 16) or base LSN {baseLsn} (offset 20)";
            return null;
        }
        problem = "";
        return new FileHeader(pageSize, baseLsn, ReadState(header[28..]), BinaryPrimitives.ReadUInt64LittleEndian(header[DatabaseIdOffset..]));
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

    /// <summary>Encodes a whole record (header, payload) at the start of <paramref name="record"/>, which needs RecordHeaderSize + payload.Length bytes.</summary>
    public static void EncodeRecord(Span<byte> record, long lsn, ulong txnId, WalRecordType type, uint pageId, ReadOnlySpan<byte> payload)
    {
        int length = RecordHeaderSize + payload.Length;
        record = record[..length];
        record[..4].Clear();
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], length);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], lsn);
        BinaryPrimitives.WriteUInt64LittleEndian(record[16..], txnId);
        record[24] = (byte)type;
        record[25..28].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(record[28..], pageId);
        payload.CopyTo(record[RecordHeaderSize..]);
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

/// <summary>One record found by <see cref="WalScanner"/>; the payload stays in the file until read.</summary>
public readonly record struct WalRecordInfo(long Lsn, int Length, ulong TxnId, WalRecordType Type, uint PageId);
