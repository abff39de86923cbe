using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Foundry.Storage;

/// <summary>
/// One database file of fixed-size pages behind a buffer pool (LRU-K, see Pager.BufferPool.cs).
///
/// File: page N lives at byte offset N * PageSizeBytes. Page 0 is the file header
/// (<see cref="FileHeaderPage"/>); it is owned by the pager and not reachable through <see cref="Get"/>.
///
/// Free page layout (type <see cref="PageType.Free"/>), after the common <see cref="PageHeader"/>:
///
/// | offset | size | field     | meaning                                   |
/// |--------|------|-----------|-------------------------------------------|
/// | 16     | 4    | next free | next page on the free list, 0 at the end  |
///
/// Transactions (skeleton, no WAL): every change stays in dirty frames and in the in-memory header
/// state until <see cref="Commit"/>. Invariants:
///
///  - PG1 A dirty frame is never written to the file or evicted before Commit.
///  - PG2 After Commit returns, the file holds exactly the state seen through the pager, and it was fsynced.
///  - PG3 Rollback restores the header state (page count, free list, catalog root) of the last Commit and
///        drops every dirty frame, so the next Get re-reads the committed bytes.
///  - PG4 Every page read from the file has its checksum verified before anyone sees it.
///
/// Crash story: Commit writes the dirty pages (ascending page id), fsyncs, then writes page 0 and fsyncs
/// again. A crash before the header write leaves the old header, whose page count and free list do not
/// reference newly extended pages — but pages rewritten in place may already hold new bytes, so a crash
/// mid-Commit can leave a torn, mixed state. The WAL issue makes Commit atomic.
///
/// Not thread-safe: one pager is used by one thread at a time (the engine serialises access).
/// </summary>
public sealed partial class Pager : IDisposable
{
    private readonly DatabaseFile _file;
    private FileHeaderPage.State _header;
    private FileHeaderPage.State _committedHeader;
    private bool _disposed;

    private Pager(DatabaseFile file, int pageSizeBytes, int cacheFrames)
    {
        _file = file;
        PageSizeBytes = pageSizeBytes;
        _capacity = Math.Max(cacheFrames, MinCacheFrames);
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

    /// <summary>Dirty frames: pages changed since the last Commit.</summary>
    public int DirtyFrameCount => _dirty.Count;

    /// <summary>True when there are uncommitted changes.</summary>
    public bool HasUncommittedChanges => _dirty.Count > 0 || !_header.Equals(_committedHeader);

    /// <summary>
    /// Opens <paramref name="path"/>, creating and formatting it (header page plus an empty catalog tree)
    /// when missing or empty. An existing file's header is validated (magic, version, page size, checksum,
    /// length) and its page size wins over <paramref name="options"/>.
    /// </summary>
    public static Pager Open(string path, PagerOptions? options = null)
    {
        options ??= new PagerOptions();
        if (!FileHeaderPage.IsValidPageSize(options.PageSizeBytes))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PageSizeBytes,
                $"page size must be a power of two in [{FileHeaderPage.MinPageSize}, {FileHeaderPage.MaxPageSize}]");
        }
        string fullPath = System.IO.Path.GetFullPath(path);
        DatabaseFile file = DatabaseFile.Open(fullPath);
        try
        {
            Pager pager;
            if (file.Length == 0)
            {
                pager = new Pager(file, options.PageSizeBytes, options.CacheFrames);
                pager.Format();
            }
            else
            {
                pager = OpenExisting(file, options);
            }
            return pager;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static Pager OpenExisting(DatabaseFile file, PagerOptions options)
    {
        long length = file.Length;
        if (length < FileHeaderPage.FixedSize)
        {
            throw new StorageException(
                $"'{file.Path}' is not a Foundry database: it is {length} bytes long, shorter than the {FileHeaderPage.FixedSize}-byte file header");
        }
        var prefix = new byte[FileHeaderPage.FixedSize];
        file.Read(prefix, 0);
        int pageSize = FileHeaderPage.ValidatePrefix(prefix, file.Path);
        var pager = new Pager(file, pageSize, options.CacheFrames);
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
        return pager;
    }

    private void Format()
    {
        _header = new FileHeaderPage.State { PageCount = 1 };
        _committedHeader = _header;
        _header.CatalogRoot = BTree.Create(this);
        Commit();
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
            _header.FreeListHead = BinaryPrimitives.ReadUInt32LittleEndian(page.Buffer.AsSpan(PageHeader.Size));
            _header.FreePageCount--;
            Array.Clear(page.Buffer);
            page.MarkDirty();
            return page;
        }
        uint id = _header.PageCount;
        if (id == uint.MaxValue)
        {
            throw new StorageException($"'{Path}' is full: page ids exhausted");
        }
        Frame frame = AcquireFrame(id);
        _header.PageCount = id + 1;
        Array.Clear(frame.Data);
        var fresh = new PageRef(this, frame);
        fresh.MarkDirty();
        return fresh;
    }

    /// <summary>Puts <paramref name="pageId"/> on the free list. The caller must hold no pin on it.</summary>
    public void Free(uint pageId)
    {
        ThrowIfDisposed();
        if (pageId == _header.CatalogRoot)
        {
            throw new StorageException($"page {pageId} is the catalog root of '{Path}' and cannot be freed");
        }
        using PageRef page = Get(pageId);
        if (page.PageType == PageType.Free)
        {
            throw new StorageException($"page {pageId} of '{Path}' is already free (double free)");
        }
        PageHeader.Format(page.Buffer, PageType.Free);
        BinaryPrimitives.WriteUInt32LittleEndian(page.Buffer.AsSpan(PageHeader.Size), _header.FreeListHead);
        page.MarkDirty();
        _header.FreeListHead = pageId;
        _header.FreePageCount++;
    }

    /// <summary>
    /// Writes every dirty page (with fresh checksums), fsyncs, writes the header page, fsyncs.
    /// Not atomic against crashes until the WAL exists (see the type comment).
    /// </summary>
    public void Commit()
    {
        ThrowIfDisposed();
        var dirty = _dirty.ToArray();
        Array.Sort(dirty, (a, b) => a.PageId.CompareTo(b.PageId));
        foreach (Frame f in dirty)
        {
            PageHeader.WriteChecksum(f.Data);
            _file.Write(f.Data, (long)f.PageId * PageSizeBytes);
        }
        if (dirty.Length > 0)
        {
            _file.Sync();
        }
        var page0 = new byte[PageSizeBytes];
        FileHeaderPage.Write(page0, PageSizeBytes, _header);
        PageHeader.WriteChecksum(page0);
        _file.Write(page0, 0);
        _file.Sync();
        _dirty.Clear();
        foreach (Frame f in dirty)
        {
            f.IsDirty = false;
            if (f.PinCount == 0)
            {
                f.InReplacer = true;
                _replacer.Add(f);
            }
        }
        _committedHeader = _header;
        TrimToCapacity();
    }

    /// <summary>Drops every dirty frame and restores the header state of the last Commit.</summary>
    public void Rollback()
    {
        ThrowIfDisposed();
        var dirty = _dirty.ToArray();
        _dirty.Clear();
        foreach (Frame f in dirty)
        {
            Release(f, keepArray: true);
        }
        _header = _committedHeader;
        TrimToCapacity();
    }

    /// <summary>Rolls back uncommitted changes and closes the file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        try
        {
            Rollback();
        }
        finally
        {
            _disposed = true;
            _resident.Clear();
            _replacer.Clear();
            _spare.Clear();
            _file.Dispose();
        }
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
