using Foundry.Runtime;
using Foundry.Storage;

namespace Foundry.Engine;

/// <summary>
/// An open database: one file of pages (locked against other processes while open), its catalog, and
/// the sessions that run SQL on it. Statements run one at a time across all sessions: a statement
/// takes <see cref="StatementLock"/> before it compiles and holds it until its result is read or
/// disposed. (Concurrent transactions arrive with the WAL and lock manager.)
/// </summary>
public sealed class Database : IDisposable
{
    private readonly bool _deleteOnDispose;
    private bool _disposed;

    private Database(Pager pager, bool temporary)
    {
        Pager = pager;
        IsTemporary = temporary;
        _deleteOnDispose = temporary;
        Catalog = new CatalogStore(pager);
        // Formatting a new file leaves the header and catalog root dirty; make them durable now.
        Pager.Commit();
    }

    /// <summary>Opens the database at <paramref name="path"/>, creating it if it does not exist.</summary>
    public static Database Open(string path, DatabaseOptions? options = null) =>
        ErrorMapper.Run(string.Empty, () => new Database(Pager.Open(path, ToPagerOptions(options)), temporary: false));

    /// <summary>A database in a new file in the temporary directory, deleted when disposed.</summary>
    public static Database OpenTemporary(DatabaseOptions? options = null)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"foundry-{Guid.NewGuid():N}.foundry");
        return ErrorMapper.Run(string.Empty, () => new Database(Pager.Open(path, ToPagerOptions(options)), temporary: true));
    }

    public string Path => Pager.Path;
    public bool IsTemporary { get; }

    internal Pager Pager { get; }
    internal CatalogStore Catalog { get; }
    internal SemaphoreSlim StatementLock { get; } = new(1, 1);

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
        Pager.Dispose();
        StatementLock.Dispose();
        if (_deleteOnDispose) File.Delete(path);
    }

    private static PagerOptions ToPagerOptions(DatabaseOptions? options)
    {
        options ??= new DatabaseOptions();
        return new PagerOptions { PageSizeBytes = options.PageSizeBytes, CacheFrames = options.CacheFrames };
    }
}
