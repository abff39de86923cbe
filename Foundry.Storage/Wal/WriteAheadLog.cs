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
///         <see cref="Flush"/> may be called by any thread at any time.
///  - WAL5 After <see cref="Truncate"/> the log is empty: the header's base LSN is the old EndLsn, and every
///         byte after the header is zero padding or left from earlier records, whose LSNs are all below that base.
///
/// Group commit: a committer calls Flush(its commit LSN, sync: true). If no flush is running it becomes
/// the leader: it takes the whole buffer (its own record and every record appended so far by others),
/// writes it and fsyncs once, outside the gate, while later committers append and wait. When the leader
/// finishes it hands off: it wakes only the first waiter whose LSN is still not durable, which leads the
/// next flush of everything appended in the meantime; the waiters the flush satisfied are woken by that
/// new leader once it has taken the buffer, so the next fsync is not queued behind their wake-ups (on
/// this 2-core machine the hand-off gap had grown to ~50 us of a ~160 us cycle). So N concurrent
/// committers need about two fsyncs, not N: in steady state they form two groups that alternate, one
/// being synced while the other appends.
///
/// Space: a synced flush that would extend the file first extends it by <see cref="GrowthBytes"/> of
/// zeros, and <see cref="Truncate"/> keeps the file's length (up to a retention limit) while it starts
/// the log over at offset 64. So a commit normally overwrites blocks the file already owns, and its sync
/// writes only data, not the file-system metadata an append needs (about half the cost of an append's
/// sync on ext4). Neither the zeros nor records left behind by a truncation can pass for a record: a
/// zero length is out of range, and an old record's LSN is below the current base (WAL5).
/// </summary>
public sealed class WriteAheadLog : IDisposable
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

    /// <summary>Committers waiting for a flush, in arrival order.</summary>
    private readonly List<FlushWaiter> _waiters = new();

    /// <summary>Waiters the last flush satisfied, woken by the next leader once it has taken the buffer.</summary>
    private List<FlushWaiter> _releaseAfterStart = new();

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
    /// Returns once every record before <paramref name="lsn"/> is written to the file, and fsynced when
    /// <paramref name="sync"/>. Thread-safe; concurrent callers share one write and fsync (group commit).
    /// </summary>
    public void Flush(long lsn, bool sync)
    {
        lock (_gate)
        {
            FlushWaiter? me = null;
            while (!IsDone(lsn, sync))
            {
                if (_flushing)
                {
                    me ??= new FlushWaiter(lsn, sync);
                    WaitForHandOff(me);
                    continue;
                }
                if (me is not null)
                {
                    _waiters.Remove(me);
                }
                Lead(sync);
            }
            if (me is not null)
            {
                _waiters.Remove(me);
            }
        }
    }

    private bool IsDone(long lsn, bool sync) => sync ? _durableLsn >= lsn : _writtenLsn >= lsn;

    /// <summary>A committer waiting for a flush, with its own monitor so a hand-off can wake exactly it.</summary>
    private sealed class FlushWaiter(long lsn, bool sync)
    {
        public long Lsn { get; } = lsn;
        public bool Sync { get; } = sync;
        public bool Woken;
    }

    /// <summary>Queues <paramref name="me"/> and sleeps until a hand-off wakes it (caller holds the gate; released while asleep).</summary>
    private void WaitForHandOff(FlushWaiter me)
    {
        if (!_waiters.Contains(me))
        {
            _waiters.Add(me);
        }
        me.Woken = false;
        Monitor.Exit(_gate);
        try
        {
            lock (me)
            {
                if (!me.Woken)
                {
                    Monitor.Wait(me, 10); // the hand-off wakes it; the timeout is only a safety net
                }
            }
        }
        finally
        {
            Monitor.Enter(_gate);
        }
    }

    /// <summary>
    /// Writes (and syncs) everything appended so far as the flush leader (caller holds the gate; released
    /// during the I/O), then hands off: the first waiter the flush did not satisfy is woken to lead the next
    /// flush, and the satisfied ones are woken only once that leader has taken the buffer, so the device
    /// gets its next sync without waiting behind their wake-ups.
    /// </summary>
    private void Lead(bool sync)
    {
        _flushing = true;
        byte[] data = _buffer.AsSpan(0, _bufferLength).ToArray();
        long start = _bufferStartLsn;
        long target = _endLsn;
        _bufferLength = 0;
        _bufferStartLsn = target;
        List<FlushWaiter> release = _releaseAfterStart;
        _releaseAfterStart = new List<FlushWaiter>();
        Monitor.Exit(_gate);
        bool ok = false;
        try
        {
            foreach (FlushWaiter w in release)
            {
                Wake(w);
            }
            if (data.Length > 0)
            {
                long offset = WalFormat.FileHeaderSize + (start - _baseLsn);
                if (sync)
                {
                    Preallocate(offset + data.Length);
                }
                _file.Write(data, offset);
                _allocatedEnd = Math.Max(_allocatedEnd, offset + data.Length);
            }
            if (sync)
            {
                _file.Sync();
            }
            ok = true;
        }
        finally
        {
            Monitor.Enter(_gate);
            _flushing = false;
            if (ok)
            {
                _writtenLsn = target;
                if (sync)
                {
                    _durableLsn = target;
                    SyncCount++;
                }
            }
            HandOff(ok);
            Monitor.PulseAll(_gate); // Truncate waits on the gate for the flush to end
        }
    }

    /// <summary>After a flush (gate held): wake the next leader now, and the satisfied waiters now or once it has started.</summary>
    private void HandOff(bool ok)
    {
        FlushWaiter? next = null;
        var satisfied = new List<FlushWaiter>();
        foreach (FlushWaiter w in _waiters)
        {
            if (IsDone(w.Lsn, w.Sync))
            {
                satisfied.Add(w);
            }
            else
            {
                next ??= w;
            }
        }
        foreach (FlushWaiter w in satisfied)
        {
            _waiters.Remove(w);
        }
        if (next is not null && ok)
        {
            _releaseAfterStart.AddRange(satisfied);
            Wake(next);
        }
        else
        {
            // No next flush (or this one failed: every waiter retries and sees the error itself).
            foreach (FlushWaiter w in _waiters)
            {
                Wake(w);
            }
            foreach (FlushWaiter w in satisfied)
            {
                Wake(w);
            }
        }
    }

    private static void Wake(FlushWaiter w)
    {
        lock (w)
        {
            w.Woken = true;
            Monitor.Pulse(w);
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
        _file.Write(header, 0);
        _file.Sync();
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
