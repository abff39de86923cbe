using System.Buffers.Binary;

namespace Foundry.Storage;

/// <summary>
/// The write-ahead log: an append-only stream of records (layout in <see cref="WalFormat"/>) framed in
/// checksummed 512-byte sectors (<see cref="WalSectors"/>), with an in-memory tail buffer and group commit.
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
///         sector after the header is zero padding or left from earlier records, whose sequences are all below that base.
///  - WAL6 After a write or fsync of the log fails, every later flush throws: the records the failed flush took
///         from the buffer may not be in the file, and a later fsync must not report them durable. The database
///         has to be reopened, and recovery reads what the file really holds.
///  - WAL7 A flush writes whole sectors, from the one holding its first byte (rewritten with the data it already
///         held, <c>_carried</c>) to the one holding its last, each stamped with the durable LSN at the flush's
///         start; so no sector ever claims a durability its own write did not follow (RF3 in <see cref="WalScanner"/>).
///
/// Group commit: concurrent committers share fsyncs; the protocol (a leader per flush, waiters that spin
/// before they block, a leader that waits for the last round's committers) is in WriteAheadLog.GroupCommit.cs.
///
/// Space: a synced flush that would extend the file first extends it by <see cref="GrowthBytes"/> of
/// zeros, and <see cref="Truncate"/> keeps the file's length (up to a retention limit) while it starts
/// the log over at sector 1. So a commit normally overwrites blocks the file already owns, and its sync
/// writes only data, not the file-system metadata an append needs (about half the cost of an append's
/// sync on ext4). Neither the zeros nor sectors left behind by a truncation can pass for the log's: a
/// zero sector fails its checksum, and an old sector's sequence is below the current base (WAL5).
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

    /// <summary>Data of the sector holding <c>_writtenLsn</c> before it: the next flush rewrites that sector (WAL7). Leader only (WAL3).</summary>
    private readonly byte[] _carried = new byte[WalSectors.DataSize];

    private readonly ulong _databaseId;

    private WriteAheadLog(IStorageFile file, int pageSizeBytes, long baseLsn, ulong databaseId)
    {
        _file = file;
        _databaseId = databaseId;
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

    /// <summary>Starts an empty log of database <paramref name="databaseId"/> in <paramref name="file"/>, whose header records <paramref name="state"/>; synced.</summary>
    public static WriteAheadLog Create(IStorageFile file, int pageSizeBytes, long baseLsn, in FileHeaderPage.State state, ulong databaseId)
    {
        var log = new WriteAheadLog(file, pageSizeBytes, baseLsn, databaseId);
        // Cut to the header sector: an existing file may be a log recovered with loss accepted, whose
        // sectors could have the sequences of positions in the new one; only a truncation, whose base
        // LSN grows past every old sequence, may keep old sectors.
        file.SetLength(WalSectors.Size);
        log._allocatedEnd = WalSectors.Size;
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
        WalScanner.ReadStream(_file, _baseLsn, lsn, header);
        int length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
        if (BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8)) != lsn || length < WalFormat.RecordHeaderSize)
        {
            throw new StorageException($"log '{Path}' has no readable record at LSN {lsn}; this is a Foundry bug");
        }
        Flush(lsn + length, sync: false);
        var payload = new byte[length - WalFormat.RecordHeaderSize];
        WalScanner.ReadStream(_file, _baseLsn, lsn + WalFormat.RecordHeaderSize, payload);
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
            long keep = Math.Max(retainBytes, WalSectors.Size);
            if (_allocatedEnd > keep)
            {
                _file.SetLength(keep);
                _allocatedEnd = keep;
            }
            WriteHeader(state);
        }
    }

    /// <summary>Writes and syncs the header sector (one sector: atomic, RF1). Only <see cref="Create"/> cuts the file to it.</summary>
    private void WriteHeader(in FileHeaderPage.State state)
    {
        var header = new byte[WalSectors.Size];
        WalFormat.WriteFileHeader(header, PageSizeBytes, _baseLsn, state, _databaseId);
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

    public void Dispose() => _file.Dispose();
}
