using Foundry.Runtime;
using Foundry.Storage;

namespace Foundry.Engine;

/// <summary>
/// An open database: one file of pages with its write-ahead log (locked against other processes while
/// open), its catalog, and the sessions that run SQL on it.
///
/// Concurrency: sessions run on any threads. Isolation is serializable by strict two-phase locking at
/// table granularity (<see cref="LockManager"/>, held by each <see cref="Transaction"/> until it ends).
/// The storage layer is single-threaded: a thread touches pages only inside <see cref="Latched{T}"/>,
/// a database-wide mutex held for one statement step (compile, run a change, fetch one row) and never
/// while waiting for a lock or for the log to be durable. So transactions interleave statement by
/// statement and the locks make the interleaving serializable.
/// </summary>
public sealed class Database : IDisposable
{
    private readonly bool _deleteOnDispose;
    private bool _disposed;

    private Database(Pager pager, bool temporary, DatabaseOptions? options)
    {
        Options = options ?? new DatabaseOptions();
        Pager = pager;
        IsTemporary = temporary;
        _deleteOnDispose = temporary;
        if (options?.OperatorMemoryBytes is < 1) throw new ArgumentOutOfRangeException(nameof(options), "OperatorMemoryBytes must be at least 1");
        OperatorMemoryBytes = options?.OperatorMemoryBytes ?? (long)pager.CacheCapacityFrames * pager.PageSizeBytes / 2;
        SpillDirectory = options?.SpillDirectory;
        Catalog = new CatalogStore(pager);
        Pager.Commit();
    }

    /// <summary>Opens the database at <paramref name="path"/>, creating it if it does not exist.</summary>
    public static Database Open(string path, DatabaseOptions? options = null) =>
        ErrorMapper.Run(string.Empty, () => new Database(Pager.Open(path, ToPagerOptions(options)), temporary: false, options));

    /// <summary>A database in a new file in the temporary directory, deleted when disposed.</summary>
    public static Database OpenTemporary(DatabaseOptions? options = null)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"foundry-{Guid.NewGuid():N}.foundry");
        return ErrorMapper.Run(string.Empty, () => new Database(Pager.Open(path, ToPagerOptions(options)), temporary: true, options));
    }

    public string Path => Pager.Path;
    public bool IsTemporary { get; }

    /// <summary>The options it was opened with (sessions take their timeouts from them).</summary>
    internal DatabaseOptions Options { get; }

    /// <summary>The default memory budget of a statement's operators (DatabaseOptions.OperatorMemoryBytes).</summary>
    public long OperatorMemoryBytes { get; }

    /// <summary>Where statements write spill files; null: the system temporary directory.</summary>
    public string? SpillDirectory { get; }

    internal Pager Pager { get; }
    internal CatalogStore Catalog { get; }
    internal LockManager Locks { get; } = new();

    /// <summary>How many transactions are waiting for a lock right now (diagnostics; tests use it to know a session is blocked).</summary>
    public int LockWaiters => Locks.WaitingCount;

    private readonly object _latch = new();

    /// <summary>Runs <paramref name="action"/> holding the storage latch (see the type comment).</summary>
    internal T Latched<T>(Func<T> action)
    {
        lock (_latch)
        {
            return action();
        }
    }

    internal void Latched(Action action)
    {
        lock (_latch)
        {
            action();
        }
    }

    /// <summary>What crash recovery did when this database was opened (<see cref="RecoveryReport.Ran"/> is false when there was nothing to recover); its ToString() is a one-line summary for the CLI.</summary>
    public RecoveryReport Recovery => Pager.Recovery;

    /// <summary>Bytes in the write-ahead log since the last checkpoint.</summary>
    public long LogSizeBytes => Latched(() => Pager.LogSizeBytes);

    /// <summary>fsyncs of the write-ahead log so far (group commit lets concurrent commits share them).</summary>
    public long LogSyncCount => Pager.LogSyncCount;

    /// <summary>
    /// Checks the file's structure: the free list, and every B+Tree the catalog names (tables and indexes)
    /// plus the catalog itself, with no page leaked or shared. Returns one message per violation (empty = OK).
    /// </summary>
    public IReadOnlyList<string> Validate() => Latched(() =>
    {
        var roots = new List<uint>();
        foreach (var t in Catalog.Tables)
        {
            roots.Add(t.RootPageId);
            roots.AddRange(t.Indexes.Select(i => i.RootPageId));
        }
        return Pager.Validate(roots);
    });

    /// <summary>
    /// Increases whenever the catalog's objects may have changed (a schema statement, or a reload of
    /// the catalog after a rollback); prepared statements compiled for an older version compile again.
    /// </summary>
    internal long SchemaVersion => Catalog.Version;

    /// <summary>The tables, by name.</summary>
    public IReadOnlyList<TableSchema> Tables => Catalog.Tables;

    public Session OpenSession()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new Session(this);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        var path = Pager.Path;
        var logPath = Pager.LogPath;
        // A checkpoint that fails here (a full disk) loses nothing: the log still holds every commit.
        try
        {
            ErrorMapper.Run(string.Empty, () => Latched(() => { Pager.Dispose(); return 0; }));
        }
        finally
        {
            if (_deleteOnDispose)
            {
                File.Delete(path);
                File.Delete(logPath);
            }
        }
    }

    private static PagerOptions ToPagerOptions(DatabaseOptions? options)
    {
        options ??= new DatabaseOptions();
        return new PagerOptions
        {
            PageSizeBytes = options.PageSizeBytes,
            CacheFrames = options.CacheFrames,
            CheckpointLogBytes = options.CheckpointLogBytes,
            FileSystem = options.FileSystem,
            AcceptLogLoss = options.AcceptLogLoss,
        };
    }
}
