using System.Buffers.Binary;

namespace Foundry.Storage;

/// <summary>
/// The write-ahead log: an append-only file of checksummed records (layout in <see cref="WalFormat"/>)
/// with an in-memory tail buffer and group commit.
///
/// LSNs: every record has the LSN of its first byte; <see cref="EndLsn"/> is the LSN the next record
/// gets. Three watermarks, never decreasing: DurableLsn ≤ WrittenLsn ≤ EndLsn.
///
///  - WAL1 Records in [base, WrittenLsn) are in the file; those in [WrittenLsn, EndLsn) are in the buffer.
///  - WAL2 Records in [base, DurableLsn) were fsynced and survive any crash.
///  - WAL3 At most one thread (the flush leader, <c>_flushing</c>) writes or syncs the file at a time.
///  - WAL4 Appends, reads of records and truncation happen under the storage latch (one thread);
///         <see cref="Flush"/> may be called by any thread at any time, <see cref="FlushCommit"/> by any
///         thread not holding the storage latch.
///  - WAL5 After <see cref="Truncate"/> the log is empty: the header's base LSN is the old EndLsn, and every
///         byte after the header is zero padding or left from earlier records, whose LSNs are all below that base.
///  - WAL6 After a write or fsync of the log fails, every later flush throws: the records the failed flush took
///         from the buffer may not be in the file, and a later fsync must not report them durable. The database
///         has to be reopened, and recovery reads what the file really holds.
///
/// Group commit: concurrent committers share fsyncs; the protocol (a leader per flush, waiters that spin
/// before they block, a leader that waits for the last round's committers) is in WriteAheadLog.GroupCommit.cs.
///
/// Space: a synced flush that would extend the file first extends it by <see cref="GrowthBytes"/> of
/// zeros, and <see cref="Truncate"/> keeps the file's length (up to a retention limit) while it starts
/// the log over at offset 64. So a commit normally overwrites blocks the file already owns, and its sync
/// writes only data, not the file-system metadata an append needs (about half the cost of an append's
/// sync on ext4). Neither the zeros nor records left behind by a truncation can pass for a record: a
/// zero length is out of range, and an old record's LSN is below the current base (WAL5).
/// </summary>
public sealed partial class WriteAheadLog : IDisposable
{
    private readonly IStorageFile _file;
    private readonly object _gate = new();
    private byte[] _buffer = new byte[64 * 1024];
    private int _bufferLength;
    private long _bufferStartLsn;
    private long _baseLsn;
    private long _endLsn;
    private long _writtenLsn;
    private long _durableLsn;
    private bool _flushing;

    /// <summary>File length the log owns (header, records, zero padding); changed only by the flush leader or under the gate with no flush running.</summary>
    private long _allocatedEnd;

    private static readonly byte[] Zeros = new byte[64 * 1024];

    /// <summary>How far a synced flush extends the file beyond its records at a time.</summary>
    public const int GrowthBytes = 1 << 20;

    private WriteAheadLog(IStorageFile file, int pageSizeBytes, long baseLsn)
    {
        _file = file;
        PageSizeBytes = pageSizeBytes;
        _baseLsn = baseLsn;
        _endLsn = _writtenLsn = _durableLsn = _bufferStartLsn = baseLsn;
    }

    public int PageSizeBytes { get; }

    public string Path => _file.Path;

    public long EndLsn => _endLsn;

    public long DurableLsn
    {
        get
        {
            lock (_gate)
            {
                return _durableLsn;
            }
        }
    }

    /// <summary>Bytes of records since the last truncation (what recovery would have to read).</summary>
    public long SizeBytes => _endLsn - _baseLsn;

    /// <summary>fsyncs of the log file so far (group commit shares them).</summary>
    public long SyncCount { get; private set; }

    /// <summary>Starts an empty log in <paramref name="file"/>, whose header records <paramref name="state"/>; synced.</summary>
    public static WriteAheadLog Create(IStorageFile file, int pageSizeBytes, long baseLsn, in FileHeaderPage.State state)
    {
        var log = new WriteAheadLog(file, pageSizeBytes, baseLsn);
        // Cut to the header: an existing file may be an ignored log (RC2) whose records could have LSNs
        // that match positions in the new one; only a truncation, whose base LSN grows, may keep old bytes.
        file.SetLength(WalFormat.FileHeaderSize);
        log._allocatedEnd = WalFormat.FileHeaderSize;
        log.WriteHeader(state);
        return log;
    }

    /// <summary>Appends a record to the buffer and returns its LSN (WAL4: storage latch held).</summary>
    public long Append(ulong txnId, WalRecordType type, uint pageId, ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            long lsn = _endLsn;
            int length = WalFormat.RecordHeaderSize + payload.Length;
            if (_bufferLength + length > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _bufferLength + length));
            }
            WalFormat.EncodeRecord(_buffer.AsSpan(_bufferLength), lsn, txnId, type, pageId, payload);
            _bufferLength += length;
            _endLsn += length;
            bool large = _bufferLength > 1 << 20;
            if (large && !_flushing)
            {
                // Keep the buffer bounded: write (not sync) it once it passes 1 MiB.
                Monitor.Exit(_gate);
                try
                {
                    Flush(_endLsn, sync: false);
                }
                finally
                {
                    Monitor.Enter(_gate);
                }
            }
            return lsn;
        }
    }

    /// <summary>
    /// Before a synced write that ends at <paramref name="end"/> beyond the owned space, writes zeros from
    /// the owned end to <paramref name="end"/> + <see cref="GrowthBytes"/>, so this sync allocates the
    /// blocks once and the next commits' syncs only overwrite them. Large unsynced flushes (a big
    /// transaction's records) just append: their one sync at commit pays the allocation once anyway.
    /// </summary>
    private void Preallocate(long end)
    {
        if (end <= _allocatedEnd)
        {
            return;
        }
        long target = end + GrowthBytes;
        for (long at = Math.Max(_allocatedEnd, end); at < target; at += Zeros.Length)
        {
            _file.Write(Zeros.AsSpan(0, (int)Math.Min(Zeros.Length, target - at)), at);
        }
        _allocatedEnd = target;
    }

    /// <summary>Reads the payload of the record at <paramref name="lsn"/> (writing the buffer out first if needed).</summary>
    public byte[] ReadPayload(long lsn)
    {
        Flush(lsn + WalFormat.RecordHeaderSize, sync: false);
        var header = new byte[WalFormat.RecordHeaderSize];
        long offset = WalFormat.FileHeaderSize + (lsn - _baseLsn);
        _file.Read(header, offset);
        int length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
        Flush(lsn + length, sync: false);
        var payload = new byte[length - WalFormat.RecordHeaderSize];
        if (_file.Read(payload, offset + WalFormat.RecordHeaderSize) != payload.Length
            || BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8)) != lsn)
        {
            throw new StorageException($"log '{Path}' has no readable record at LSN {lsn}; this is a Foundry bug");
        }
        return payload;
    }

    /// <summary>
    /// Empties the log after a checkpoint made the database file hold everything (WAL5): the new header
    /// (base LSN = EndLsn, the checkpoint's header state) is written and synced, and the next record goes
    /// to offset 64 again. The file keeps up to <paramref name="retainBytes"/> of its length so later
    /// commits overwrite owned blocks; the records left behind have LSNs below the new base.
    /// </summary>
    public void Truncate(in FileHeaderPage.State state, long retainBytes)
    {
        Flush(_endLsn, sync: true);
        lock (_gate)
        {
            while (_flushing)
            {
                Monitor.Wait(_gate);
            }
            _baseLsn = _endLsn;
            _bufferStartLsn = _endLsn;
            _bufferLength = 0;
            long keep = Math.Max(retainBytes, WalFormat.FileHeaderSize);
            if (_allocatedEnd > keep)
            {
                _file.SetLength(keep);
                _allocatedEnd = keep;
            }
            WriteHeader(state);
        }
    }

    /// <summary>Writes and syncs the file header. Only <see cref="Create"/> cuts the file to it.</summary>
    private void WriteHeader(in FileHeaderPage.State state)
    {
        var header = new byte[WalFormat.FileHeaderSize];
        WalFormat.WriteFileHeader(header, PageSizeBytes, _baseLsn, state);
        try
        {
            _file.Write(header, 0);
            _file.Sync();
        }
        catch (Exception e)
        {
            // WAL6: the header may be half written; nothing after it may be trusted either.
            lock (_gate)
            {
                _failure ??= e;
            }
            throw;
        }
        SyncCount++;
        _writtenLsn = _durableLsn = _endLsn;
    }

    /// <summary>
    /// Reads the records of a log file: the longest prefix of valid records (see <see cref="WalFormat"/>).
    /// <paramref name="validEnd"/> is the file offset where that prefix ends; bytes after it are a torn or
    /// garbage tail. Returns false (and no records) when the file header itself is missing or invalid.
    /// </summary>
    public static bool Scan(IStorageFile file, out int pageSize, out long baseLsn, out FileHeaderPage.State state,
        List<WalRecordInfo> records, out long validEnd)
    {
        var header = new byte[WalFormat.FileHeaderSize];
        validEnd = 0;
        if (file.Read(header, 0) < header.Length || !WalFormat.TryReadFileHeader(header, out pageSize, out baseLsn, out state))
        {
            pageSize = 0;
            baseLsn = 0;
            state = default;
            return false;
        }
        long length = file.Length;
        long offset = WalFormat.FileHeaderSize;
        int maxLength = WalFormat.RecordHeaderSize + pageSize;
        var recordHeader = new byte[WalFormat.RecordHeaderSize];
        var body = new byte[maxLength];
        while (offset + WalFormat.RecordHeaderSize <= length)
        {
            file.Read(recordHeader, offset);
            int n = BinaryPrimitives.ReadInt32LittleEndian(recordHeader.AsSpan(4));
            long lsn = BinaryPrimitives.ReadInt64LittleEndian(recordHeader.AsSpan(8));
            if (n < WalFormat.RecordHeaderSize || n > maxLength || offset + n > length || lsn != baseLsn + (offset - WalFormat.FileHeaderSize))
            {
                break;
            }
            if (file.Read(body.AsSpan(0, n), offset) != n
                || !WalFormat.ChecksumMatches(body.AsSpan(0, n)))
            {
                break;
            }
            var type = (WalRecordType)body[24];
            if (type is < WalRecordType.Redo or > WalRecordType.RedoDelta)
            {
                break;
            }
            records.Add(new WalRecordInfo(lsn, offset, n, BinaryPrimitives.ReadUInt64LittleEndian(body.AsSpan(16)), type,
                BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(28))));
            offset += n;
        }
        validEnd = offset;
        return true;
    }

    /// <summary>
    /// How many bytes after the valid prefix (ending at file offset <paramref name="validEnd"/>) are a torn
    /// or garbage record: zero padding and an intact record left from before the last truncation are not
    /// (they are the normal contents of a reused file); otherwise the bytes up to the last non-zero one
    /// within one maximal record length.
    /// </summary>
    public static long TornTailLength(IStorageFile file, long validEnd, int pageSize)
    {
        var window = new byte[Math.Min(WalFormat.RecordHeaderSize + pageSize, Math.Max(0, file.Length - validEnd))];
        int n = file.Read(window, validEnd);
        ReadOnlySpan<byte> bytes = window.AsSpan(0, n);
        if (n >= 8 && BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]) is int length
            && length >= WalFormat.RecordHeaderSize && length <= n && WalFormat.ChecksumMatches(bytes[..length]))
        {
            return 0; // a whole record from an earlier stretch of the log: its LSN did not match
        }
        return bytes.LastIndexOfAnyExcept((byte)0) + 1;
    }

    public void Dispose() => _file.Dispose();
}
