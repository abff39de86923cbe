using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Linq;

namespace Foundry.Storage;

/// <summary>
/// One database file of fixed-size pages behind a buffer pool (LRU-K, see Pager.BufferPool.cs), made
/// atomic and durable by a write-ahead log beside it (<c>path + "-wal"</c>, see <see cref="WriteAheadLog"/>).
///
/// File: page N lives at byte offset N * PageSizeBytes. Page 0 is the file header
/// (<see cref="FileHeaderPage"/>); it is owned by the pager, not reachable through <see cref="Get"/>, and
/// written only by checkpoints and recovery — between checkpoints the header state lives in memory and
/// in the WAL's Commit/Abort records.
///
/// Free page layout (type <see cref="PageType.Free"/>), after the common <see cref="PageHeader"/>:
///
/// | offset | size | field     | meaning                                   |
/// |--------|------|-----------|-------------------------------------------|
/// | 16     | 4    | next free | next page on the free list, 0 at the end  |
///
/// Logging (full-page physical images, steal / no-force): the first time a transaction dirties a page,
/// the page's before-image is kept in memory (Pager.Undo.cs) and appended as an Undo record only when
/// the page is about to be stolen or the images in memory pass a limit; a page's after-image is
/// appended as a Redo record when the transaction commits (for every page it left unlogged) or when the
/// buffer pool evicts it (steal). Commit appends a Commit record carrying the header state and syncs the log (group commit:
/// <see cref="CommitAppend"/> under the storage latch, <see cref="WaitDurable"/> outside it).
///
/// Transaction states (one write transaction at a time; the engine's writer lock guarantees it):
///
/// | state     | meaning                                   | leaves by                                        |
/// |-----------|-------------------------------------------|--------------------------------------------------|
/// | idle      | no uncommitted change; _txnId = 0         | first MarkDirty / Allocate / Free -> active      |
/// | active    | changes since the last Commit/Rollback    | CommitAppend -> idle (Commit record appended);   |
/// |           |                                           | Rollback -> idle (CLR images + Abort appended)   |
/// | statement | sub-state: <see cref="BeginStatement"/> opened a savepoint | RollbackStatement restores it, stays active |
///
/// Invariants:
///
///  - PG1 Write-ahead rule: a page is written to the database file only after a Redo image with its
///        current bytes (LSN = its page LSN) is in the log and the log is synced past it; a page logged
///        at commit only after the log is synced past the Commit record.
///  - PG2 Before a page's bytes change in a transaction, its bytes at the transaction's start are held
///        (unless the page did not exist then), in memory or as an Undo record; before a Redo image of
///        the page is logged while the transaction is active, that Undo record is in the log. Before the
///        bytes change in a later statement of the same transaction, a copy of them at that statement's
///        start is kept in memory for RollbackStatement: crash recovery undoes whole transactions.
///  - PG3 After CommitAppend every page the transaction changed has a Redo image before the Commit record;
///        Commit returns once the log is synced through the Commit record.
///  - PG4 Every page read from the file has its checksum verified before anyone sees it.
///  - PG5 Rollback restores each changed page's before-image (memory or log), logs it as a Redo image
///        (compensation), restores the header and appends Abort; RollbackStatement restores the statement's
///        before-images and header without logging (the pages stay in the transaction).
///  - PG6 A checkpoint (no active transaction) writes every dirty page and page 0, syncs the file, then
///        truncates the log. Automatic after a commit once the log exceeds PagerOptions.CheckpointLogBytes.
///  - PG7 Every page id below PageCount lies inside the database file, whose blocks are allocated: before
///        <see cref="Allocate"/> hands out a page beyond the file's end it writes zeros up to a growth step
///        past it and syncs them (<see cref="ReserveFileSpace"/>). So writing a page back, a checkpoint and
///        recovery's redo only overwrite blocks the file owns and need no free space: a database whose log
///        failed on a full disk reopens without any space freed. Out of space shows at allocation instead,
///        as a clean "disk full" error of the statement (nothing logged, nothing to undo but in memory).
///
/// Crash story: the file only ever receives pages whose images are durable in the log (PG1), and page 0
/// only at checkpoints, so after a crash the file holds some mixture of pages the log can rebuild. Recovery
/// (<see cref="WalRecovery"/>) rewrites the Redo images of finished transactions in log order (torn pages
/// included), then the Undo images of transactions without Commit/Abort in reverse log order, writes page
/// 0 from the last Commit/Abort header state, syncs and only then empties the log — so a crash during
/// recovery just repeats it (idempotent).
///
/// Not thread-safe: the engine serialises access with its storage latch; only <see cref="WaitDurable"/>
/// may be called without it.
/// </summary>
public sealed partial class Pager : IDisposable
{
    private readonly IStorageFile _file;
    private readonly IStorageFileSystem _fileSystem;
    private readonly string _walPath;
    private WriteAheadLog _wal = null!;
    private FileHeaderPage.State _header;
    private FileHeaderPage.State _committedHeader;
    private FileHeaderPage.State _statementHeader;
    private ulong _txnId;
    private ulong _lastTxnId;
    private bool _disposed;

    /// <summary>Whole pages the database file's length holds, zeros written and synced beyond the last used page (PG7).</summary>
    private long _reservedPages;

    private static readonly byte[] Zeros = new byte[64 * 1024];

    /// <summary>The file grows by at least this much at a time (and by an eighth of its size, up to <see cref="MaxFileGrowthBytes"/>).</summary>
    public const int MinFileGrowthBytes = 64 * 1024;

    public const int MaxFileGrowthBytes = 64 << 20;

    /// <summary>Pages with a full Redo image in the log since it was last emptied: later records of them may be deltas.</summary>
    private readonly HashSet<uint> _fullImageLogged = new();

    /// <summary>Pages the active transaction has logged a Redo record of.</summary>
    private readonly HashSet<uint> _loggedInTransaction = new();

    /// <summary>Scratch for encoding a delta: a delta larger than half a page is not worth it, a full image is logged instead.</summary>
    private readonly byte[] _deltaBuffer;

    /// <summary>The id in page 0 that binds the log to this file (WB1).</summary>
    private ulong _databaseId;

    /// <summary>Opened by <see cref="OpenReadOnly"/>: no log, no writes, and nothing written on Dispose.</summary>
    private bool _readOnly;

    private Pager(IStorageFile file, IStorageFileSystem fileSystem, int pageSizeBytes, PagerOptions options)
    {
        _file = file;
        _reservedPages = file.Length / pageSizeBytes;
        _fileSystem = fileSystem;
        _walPath = file.Path + "-wal";
        PageSizeBytes = pageSizeBytes;
        _deltaBuffer = new byte[pageSizeBytes / 2];
        _capacity = Math.Max(options.CacheFrames, MinCacheFrames);
        CheckpointLogBytes = options.CheckpointLogBytes;
    }

    /// <summary>Smallest pool accepted; B+Tree operations pin up to depth + 3 pages at once.</summary>
    public const int MinCacheFrames = 8;

    public string Path => _file.Path;

    public int PageSizeBytes { get; }

    /// <summary>Pages in the file including uncommitted extensions; page 0 included.</summary>
    public uint PageCount => _header.PageCount;

    /// <summary>Root page id of the catalog B+Tree, created when the file is formatted. Stable for the file's life.</summary>
    public uint CatalogRootPageId => _header.CatalogRoot;

    /// <summary>Pages currently on the free list.</summary>
    public uint FreePageCount => _header.FreePageCount;

    /// <summary>Dirty frames: pages whose bytes differ from the database file (logged or not).</summary>
    public int DirtyFrameCount => _dirty.Count;

    /// <summary>True when a write transaction is active (changes since the last Commit or Rollback).</summary>
    public bool HasUncommittedChanges => _txnId != 0 || !_header.Equals(_committedHeader);

    /// <summary>Log size that triggers a checkpoint after a commit.</summary>
    public long CheckpointLogBytes { get; set; }

    /// <summary>
    /// Log file length a checkpoint keeps for reuse: one checkpoint interval plus the growth step, at most
    /// 64 MiB (a transaction larger than that leaves no larger file behind).
    /// </summary>
    private long LogRetainBytes => Math.Min(CheckpointLogBytes + WriteAheadLog.GrowthBytes, 64L << 20);

    /// <summary>Bytes in the WAL since the last checkpoint.</summary>
    public long LogSizeBytes => _readOnly ? 0 : _wal.SizeBytes;

    /// <summary>fsyncs of the WAL so far (group commit makes this smaller than the number of commits).</summary>
    public long LogSyncCount => _readOnly ? 0 : _wal.SyncCount;

    /// <summary>Checkpoints run since the pager was opened.</summary>
    public long CheckpointCount { get; private set; }

    /// <summary>Path of the write-ahead log beside the database file.</summary>
    public string LogPath => _walPath;

    /// <summary>What recovery did when the file was opened (<see cref="RecoveryReport.Ran"/> false when the log was empty).</summary>
    public RecoveryReport Recovery { get; private set; } = RecoveryReport.None;

    /// <summary>
    /// Opens <paramref name="path"/>, creating and formatting it (header page plus an empty catalog tree)
    /// when missing or empty. The path is made canonical first (WB2: symlinks resolved to the final target),
    /// so the log beside it and the OS lock are the same whichever link the file is opened through. An
    /// existing file is first recovered from its WAL (see <see cref="WalRecovery"/>; a log that cannot be
    /// trusted is refused with <see cref="WalRefusedException"/> unless <see cref="PagerOptions.AcceptLogLoss"/>),
    /// then its header is validated (magic, version, page size, checksum, length); its page size wins over
    /// <paramref name="options"/>.
    /// </summary>
    public static Pager Open(string path, PagerOptions? options = null)
    {
        options ??= new PagerOptions();
        if (!FileHeaderPage.IsValidPageSize(options.PageSizeBytes))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PageSizeBytes,
                $"page size must be a power of two in [{FileHeaderPage.MinPageSize}, {FileHeaderPage.MaxPageSize}]");
        }
        IStorageFileSystem given = options.FileSystem ?? OsFileSystem.Instance;
        string fullPath = CanonicalPath(given, path);
        IStorageFileSystem fs = new ErrorClassifyingFileSystem(given);
        IStorageFile file = fs.Open(fullPath, exclusive: true);
        string walPath = fullPath + "-wal";
        try
        {
            Pager pager;
            if (file.Length == 0)
            {
                if (fs.Exists(walPath))
                {
                    fs.Delete(walPath); // a log without its database file describes nothing we have
                }
                pager = new Pager(file, fs, options.PageSizeBytes, options) { _databaseId = FileHeaderPage.NewDatabaseId() };
                pager._wal = WriteAheadLog.Create(fs.Open(walPath, exclusive: false), options.PageSizeBytes, 1,
                    new FileHeaderPage.State { PageCount = 1 }, pager._databaseId);
                pager.Format();
            }
            else
            {
                RecoveryReport report = Recover(fs, file, walPath, options.AcceptLogLoss, out long nextLsn);
                pager = OpenExisting(file, fs, options);
                pager._wal = WriteAheadLog.Create(fs.Open(walPath, exclusive: false), pager.PageSizeBytes, nextLsn, pager._header, pager._databaseId);
                pager.Recovery = report;
            }
            return pager;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> without writing either file (`foundry check`): see
    /// <see cref="RecoveredFile"/>. The pager refuses changes; Dispose writes nothing. Throws
    /// <see cref="WalRefusedException"/> for a log that cannot be trusted, <see cref="StorageException"/>
    /// for a file that is not a sound database.
    /// </summary>
    public static Pager OpenReadOnly(string path, PagerOptions? options = null)
    {
        options ??= new PagerOptions();
        RecoveredFile recovered = RecoveredFile.Open(path, options.FileSystem);
        try
        {
            return recovered.OpenPager(options);
        }
        catch
        {
            recovered.Dispose();
            throw;
        }
    }

    /// <summary>A read-only pager over <paramref name="file"/> (an <see cref="OverlayFile"/> recovery wrote into); it owns the file.</summary>
    internal static Pager OpenReadOnlyOn(IStorageFile file, IStorageFileSystem fs, PagerOptions options, RecoveryReport report)
    {
        Pager pager = OpenExisting(file, fs, options);
        pager._readOnly = true;
        pager.Recovery = report;
        return pager;
    }

    /// <summary>Reads the file's bytes as the pager sees them (after recovery), past the buffer pool and unverified: for integrity checks.</summary>
    public int ReadFromFile(Span<byte> buffer, long offset) => _file.Read(buffer, offset);

    /// <summary>Length of the file as the pager sees it.</summary>
    public long FileLength => _file.Length;

    /// <summary>
    /// WB2: the absolute path with symlinks resolved to the final target (a missing file's path as it is),
    /// for the operating system's files; a simulated file system's paths are taken as they are.
    /// </summary>
    public static string CanonicalPath(IStorageFileSystem fs, string path)
    {
        if (fs is not OsFileSystem)
        {
            return path;
        }
        string full = System.IO.Path.GetFullPath(path);
        FileSystemInfo? target = new FileInfo(full).LinkTarget is null ? null : File.ResolveLinkTarget(full, returnFinalTarget: true);
        return target is null ? full : System.IO.Path.GetFullPath(target.FullName);
    }

    /// <summary>Runs recovery of <paramref name="data"/> from the log at <paramref name="walPath"/>, if there is one (read-only access to the log).</summary>
    internal static RecoveryReport Recover(IStorageFileSystem fs, IStorageFile data, string walPath, bool acceptLoss, out long nextLsn)
    {
        nextLsn = 1;
        if (!fs.Exists(walPath))
        {
            return RecoveryReport.None;
        }
        (int pageSize, ulong databaseId) = ReadPrefix(data);
        using IStorageFile walFile = fs.OpenReadOnly(walPath, sharedLock: false);
        return WalRecovery.Run(data, walFile, databaseId, pageSize, acceptLoss, out nextLsn);
    }

    /// <summary>The page size and database id from the first bytes of page 0, validated (magic, version, page size); before recovery, so page 0 may still be torn.</summary>
    internal static (int PageSize, ulong DatabaseId) ReadPrefix(IStorageFile file)
    {
        long length = file.Length;
        if (length < FileHeaderPage.FixedSize)
        {
            throw new StorageException(
                $"'{file.Path}' is not a Foundry database: it is {length} bytes long, shorter than the {FileHeaderPage.FixedSize}-byte file header");
        }
        var prefix = new byte[FileHeaderPage.FixedSize];
        file.Read(prefix, 0);
        return (FileHeaderPage.ValidatePrefix(prefix, file.Path), FileHeaderPage.ReadDatabaseId(prefix));
    }

    private static Pager OpenExisting(IStorageFile file, IStorageFileSystem fs, PagerOptions options)
    {
        long length = file.Length;
        (int pageSize, ulong databaseId) = ReadPrefix(file);
        var pager = new Pager(file, fs, pageSize, options) { _databaseId = databaseId };
        var page0 = new byte[pageSize];
        if (file.Read(page0, 0) < pageSize)
        {
            throw new StorageException($"'{file.Path}' is truncated: header page needs {pageSize} bytes, file has {length}");
        }
        pager.VerifyChecksum(0, page0);
        FileHeaderPage.State state = FileHeaderPage.Read(page0);
        long needed = (long)state.PageCount * pageSize;
        if (state.PageCount < 1 || length < needed)
        {
            throw new StorageException(
                $"'{file.Path}' is truncated: header says {state.PageCount} pages of {pageSize} bytes ({needed} bytes), file has {length} bytes");
        }
        if (state.CatalogRoot == 0 || state.CatalogRoot >= state.PageCount || state.FreeListHead >= state.PageCount)
        {
            throw new StorageException(
                $"'{file.Path}' header is inconsistent: catalog root {state.CatalogRoot}, free list head {state.FreeListHead}, page count {state.PageCount}");
        }
        pager._header = state;
        pager._committedHeader = state;
        pager._statementHeader = state;
        return pager;
    }

    private void Format()
    {
        _header = new FileHeaderPage.State { PageCount = 1 };
        _committedHeader = _header;
        _statementHeader = _header;
        EnsureTransaction();
        _header.CatalogRoot = BTree.Create(this);
        Commit();
        Checkpoint();
    }

    /// <summary>
    /// Returns page <paramref name="pageId"/> pinned. Verifies the checksum whenever the page is read from the
    /// file (PG4). Throws "buffer pool exhausted" when it is not cached and every frame is pinned (BP4).
    /// </summary>
    public PageRef Get(uint pageId)
    {
        ThrowIfDisposed();
        if (pageId == 0 || pageId >= _header.PageCount)
        {
            ThrowBadPageId(pageId);
        }
        if (!TryGetResident(pageId, out Frame? frame))
        {
            frame = AcquireFrame(pageId);
            try
            {
                PageReads++;
                int n = _file.Read(frame.Data, (long)pageId * PageSizeBytes);
                if (n < PageSizeBytes)
                {
                    throw new StorageException(
                        $"page {pageId} of '{Path}' is beyond the end of the file (offset {(long)pageId * PageSizeBytes}, file length {_file.Length})");
                }
                VerifyChecksum(pageId, frame.Data);
            }
            catch
            {
                frame.PinCount = 0;
                _pinnedFrames--;
                Release(frame, keepArray: true);
                throw;
            }
        }
        return new PageRef(this, frame);
    }

    /// <summary>Returns a zeroed, pinned, dirty page: the free-list head if any, else a new page at the end of the file.</summary>
    public PageRef Allocate()
    {
        ThrowIfDisposed();
        uint head = _header.FreeListHead;
        if (head != 0)
        {
            PageRef page = Get(head);
            if (page.PageType != PageType.Free)
            {
                page.Dispose();
                throw new StorageException(
                    $"free list of '{Path}' is corrupt: head page {head} has type {page.PageType}, expected Free");
            }
            page.MarkDirty(); // PG2: before the bytes change
            _header.FreeListHead = BinaryPrimitives.ReadUInt32LittleEndian(page.Buffer.AsSpan(PageHeader.Size));
            _header.FreePageCount--;
            Array.Clear(page.Buffer);
            return page;
        }
        uint id = _header.PageCount;
        if (id == uint.MaxValue)
        {
            throw new StorageException($"'{Path}' is full: page ids exhausted");
        }
        ReserveFileSpace(id);
        Frame frame = AcquireFrame(id);
        EnsureTransaction();
        _header.PageCount = id + 1;
        Array.Clear(frame.Data);
        var fresh = new PageRef(this, frame);
        fresh.MarkDirty();
        return fresh;
    }

    /// <summary>
    /// PG7: makes the file hold page <paramref name="pageId"/> with its blocks allocated: zeros written from the
    /// reserved end to a growth step past the page, then synced (so a crash cannot leave the file shorter
    /// than pages the log has images of). Writing zeros, not a resize, because a resize leaves a hole
    /// whose blocks would be allocated only when the page is written. Throws <see cref="DiskFullException"/>
    /// with nothing changed but the zeros (the reservation counts only once synced).
    /// </summary>
    private void ReserveFileSpace(uint pageId)
    {
        if (pageId < _reservedPages)
        {
            return;
        }
        long growthBytes = Math.Clamp(_reservedPages * PageSizeBytes / 8, MinFileGrowthBytes, MaxFileGrowthBytes);
        long target = pageId + 1 + Math.Max(1, growthBytes / PageSizeBytes);
        long end = target * PageSizeBytes;
        for (long at = _reservedPages * PageSizeBytes; at < end; at += Zeros.Length)
        {
            _file.Write(Zeros.AsSpan(0, (int)Math.Min(Zeros.Length, end - at)), at);
        }
        _file.Sync();
        _reservedPages = target;
    }

    /// <summary>Puts <paramref name="pageId"/> on the free list. The caller must hold no pin on it.</summary>
    public void Free(uint pageId)
    {
        ThrowIfDisposed();
        if (pageId == _header.CatalogRoot)
        {
            throw new StorageException($"page {pageId} is the catalog root of '{Path}' and cannot be freed");
        }
        EnsureTransaction();
        using PageRef page = Get(pageId);
        if (page.PageType == PageType.Free)
        {
            throw new StorageException($"page {pageId} of '{Path}' is already free (double free)");
        }
        page.MarkDirty();
        PageHeader.Format(page.Buffer, PageType.Free);
        BinaryPrimitives.WriteUInt32LittleEndian(page.Buffer.AsSpan(PageHeader.Size), _header.FreeListHead);
        _header.FreeListHead = pageId;
        _header.FreePageCount++;
    }

    /// <summary>Opens a statement savepoint inside the current (or next) transaction: <see cref="RollbackStatement"/> returns here.</summary>
    public void BeginStatement()
    {
        ThrowIfDisposed();
        ClearStatementUndo();
        _statementHeader = _header;
    }

    /// <summary>Undoes the changes since <see cref="BeginStatement"/> (PG5); the transaction stays active.</summary>
    public void RollbackStatement()
    {
        ThrowIfDisposed();
        if (_txnId == 0)
        {
            _header = _committedHeader;
            return;
        }
        RestoreImages(_statementUndo, compensate: false);
        RestoreCopies(_statementCopies);
        _header = _statementHeader;
        ClearStatementUndo();
    }

    /// <summary>Commits: <see cref="CommitAppend"/> then <see cref="WaitDurable"/>.</summary>
    public void Commit()
    {
        long lsn = CommitAppend();
        WaitDurable(lsn);
    }

    /// <summary>
    /// Appends Redo images of the transaction's unlogged pages and its Commit record (PG3), and returns the
    /// LSN the log must be durable to for the commit to be durable (0 when there was nothing to commit).
    /// Runs an automatic checkpoint when the log has grown past <see cref="CheckpointLogBytes"/>.
    /// </summary>
    public long CommitAppend()
    {
        ThrowIfDisposed();
        if (_txnId == 0 && _header.Equals(_committedHeader))
        {
            return 0;
        }
        EnsureTransaction();
        // Commit-time images need no Undo record: they reach the database file only once the Commit
        // record is durable (their LogEnd moves past it below), and without it recovery ignores them.
        // The frames logged here are compacted to the front of _unlogged (EndTransaction clears it).
        int logged = 0;
        for (int i = 0; i < _unlogged.Count; i++)
        {
            Frame f = _unlogged[i];
            if (f.Unlogged)
            {
                LogImage(f, undoFirst: false);
                _unlogged[logged++] = f;
            }
        }
        Span<byte> state = stackalloc byte[WalFormat.HeaderStateSize];
        WalFormat.WriteState(state, _header);
        _wal.Append(_txnId, WalRecordType.Commit, 0, state);
        long end = _wal.EndLsn;
        for (int i = 0; i < logged; i++)
        {
            _unlogged[i].LogEnd = end;
        }
        EndTransaction();
        if (_wal.SizeBytes > CheckpointLogBytes)
        {
            Checkpoint();
        }
        return end;
    }

    /// <summary>The end of the log appended so far: a commit at or before it is durable once the log is durable through it.</summary>
    public long AppendedLsn => _wal.EndLsn;

    /// <summary>Returns once the log is durable through <paramref name="lsn"/>; thread-safe, shares fsyncs (group commit).</summary>
    public void WaitDurable(long lsn)
    {
        if (lsn > 0)
        {
            _wal.FlushCommit(lsn);
        }
    }

    /// <summary>Undoes the active transaction (PG5): before-images restored and logged, header restored, Abort appended.</summary>
    public void Rollback()
    {
        ThrowIfDisposed();
        if (_txnId == 0)
        {
            _header = _committedHeader;
            return;
        }
        RestoreImages(_txnUndo, compensate: true);
        _header = _committedHeader;
        Span<byte> state = stackalloc byte[WalFormat.HeaderStateSize];
        WalFormat.WriteState(state, _header);
        _wal.Append(_txnId, WalRecordType.Abort, 0, state);
        EndTransaction();
        TrimToCapacity();
    }

    /// <summary>
    /// Writes every dirty page and page 0 to the file, syncs it, and empties the log (PG6). Requires no
    /// active transaction. The log file keeps its length for reuse (see <see cref="WriteAheadLog"/>)
    /// unless <paramref name="releaseLogSpace"/>, which cuts it to its header (the CHECKPOINT statement).
    /// </summary>
    public void Checkpoint(bool releaseLogSpace = false)
    {
        ThrowIfDisposed();
        if (_readOnly)
        {
            throw new StorageException($"'{Path}' is opened read-only; it cannot be checkpointed");
        }
        if (_txnId != 0)
        {
            throw new StorageException($"cannot checkpoint '{Path}' while a write transaction is active");
        }
        _wal.Flush(_wal.EndLsn, sync: true);
        var dirty = _dirty.ToArray();
        Array.Sort(dirty, (a, b) => a.PageId.CompareTo(b.PageId));
        foreach (Frame f in dirty)
        {
            WritePage(f);
        }
        var page0 = new byte[PageSizeBytes];
        FileHeaderPage.Write(page0, PageSizeBytes, _committedHeader, _databaseId);
        PageHeader.WriteChecksum(page0);
        _file.Write(page0, 0);
        _file.Sync();
        _wal.Truncate(_committedHeader, releaseLogSpace ? 0 : LogRetainBytes);
        _fullImageLogged.Clear();
        CheckpointCount++;
    }

    /// <summary>
    /// The first failed write or fsync of the log (WAL6), or null. Once set, nothing more can be committed or
    /// written back: the database must be closed and opened again (recovery reads what the log really holds).
    /// </summary>
    public Exception? LogFailure => _wal.Failure;

    /// <summary>
    /// Rolls back uncommitted changes, checkpoints, removes the (empty) log and closes the file. Read-only, it only
    /// closes the file. After a log failure it only closes the files, as a crash would: rollback and checkpoint would need the log, and
    /// the next open recovers from what it holds.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        if (_readOnly)
        {
            _disposed = true;
            _file.Dispose();
            return;
        }
        if (LogFailure is not null)
        {
            Abandon();
            return;
        }
        bool clean = false;
        try
        {
            Rollback();
            Checkpoint();
            clean = true;
        }
        finally
        {
            _disposed = true;
            _resident.Clear();
            _replacer.Clear();
            _spare.Clear();
            _wal.Dispose();
            if (clean)
            {
                _fileSystem.Delete(_walPath);
            }
            _file.Dispose();
        }
    }

    /// <summary>Gives up the file without rollback or checkpoint, as a crash would (tests of recovery).</summary>
    public void Abandon()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _wal?.Dispose();
        _file.Dispose();
    }

    private void EnsureTransaction()
    {
        if (_readOnly)
        {
            throw new StorageException($"'{Path}' is opened read-only; it cannot be changed");
        }
        if (_txnId == 0)
        {
            _txnId = ++_lastTxnId;
            _committedHeader = _header;
            ClearTransactionUndo();
            ClearStatementUndo();
            _statementHeader = _header;
        }
    }

    private void EndTransaction()
    {
        _unlogged.Clear(); // every frame the transaction changed is logged (commit) or restored and logged (rollback)
        _loggedInTransaction.Clear();
        _committedHeader = _header;
        _statementHeader = _header;
        _txnId = 0;
        ClearTransactionUndo();
        ClearStatementUndo();
    }

    /// <summary>
    /// Appends a Redo image of the frame's bytes, stamping the page LSN first. With
    /// <paramref name="undoFirst"/> (every image but commit-time and compensation ones) the page's
    /// before-image is logged first if it is still only in memory (PG2).
    /// </summary>
    private void LogImage(Frame frame, bool undoFirst, bool fullImage = false)
    {
        uint id = frame.PageId;
        if (undoFirst)
        {
            LogUndoImage(id);
        }
        // No page checksum here: the record's CRC covers the image, and whoever writes the image to the
        // database file (WritePage, recovery) stamps the page checksum then.
        PageHeader.SetLsn(frame.Data, (ulong)_wal.EndLsn);
        // A delta needs a base that recovery is sure to have: a full image of the page since the log was
        // emptied (so a torn page in the file never matters), and the transaction-start image in memory,
        // which is the page as of its previous record only if this is the transaction's first record of it.
        bool firstInTransaction = _txnId != 0 && _loggedInTransaction.Add(id);
        if (!fullImage && firstInTransaction && _fullImageLogged.Contains(id)
            && _txnUndo.TryGetValue(id, out UndoImage? before) && before?.Bytes is { } baseImage
            && PageDelta.TryEncode(baseImage, frame.Data, _deltaBuffer, out int deltaLength))
        {
            _wal.Append(_txnId, WalRecordType.RedoDelta, id, _deltaBuffer.AsSpan(0, deltaLength));
        }
        else
        {
            _wal.Append(_txnId, WalRecordType.Redo, id, frame.Data);
            _fullImageLogged.Add(id);
        }
        frame.Unlogged = false;
        frame.LogEnd = _wal.EndLsn;
    }

    /// <summary>PG1: writes a dirty frame to the file after its image is logged and the log synced.</summary>
    private void WritePage(Frame frame)
    {
        if (frame.Unlogged)
        {
            LogImage(frame, undoFirst: true);
            // Log the next unpinned unlogged victims too, so the coming evictions share this one fsync.
            // (Pinned frames are skipped: their owner may be between MarkDirty and the change itself.)
            int batch = 0;
            foreach (Frame other in _replacer)
            {
                if (batch++ == 32)
                {
                    break;
                }
                if (other.Unlogged && other.PinCount == 0)
                {
                    LogImage(other, undoFirst: true);
                }
            }
        }
        _wal.Flush(frame.LogEnd, sync: true);
        PageHeader.WriteChecksum(frame.Data);
        _file.Write(frame.Data, (long)frame.PageId * PageSizeBytes);
        frame.IsDirty = false;
        _dirty.Remove(frame);
    }

    private void VerifyChecksum(uint pageId, ReadOnlySpan<byte> page)
    {
        uint stored = PageHeader.GetChecksum(page);
        uint computed = PageHeader.ComputeChecksum(page);
        if (stored != computed)
        {
            throw new CorruptPageException(pageId, stored, computed, Path);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    [DoesNotReturn]
    private void ThrowBadPageId(uint pageId) =>
        throw new StorageException(pageId == 0
            ? $"page 0 of '{Path}' is the file header and is owned by the pager"
            : $"page {pageId} is out of range for '{Path}' (page count {_header.PageCount})");
}
