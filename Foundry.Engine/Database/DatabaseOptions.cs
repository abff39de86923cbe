using Foundry.Storage;

namespace Foundry.Engine;

/// <summary>How a database file is opened.</summary>
public sealed class DatabaseOptions
{
    /// <summary>Page size for a new file; an existing file keeps the size it was created with.</summary>
    public int PageSizeBytes { get; init; } = 8192;

    /// <summary>Page cache size in frames.</summary>
    public int CacheFrames { get; init; } = 4096;

    /// <summary>Write-ahead log size that makes a commit run a checkpoint (see PagerOptions.CheckpointLogBytes).</summary>
    public long CheckpointLogBytes { get; init; } = 64L << 20;

    /// <summary>Where the files come from; null is the operating system (tests pass a <see cref="FaultInjectingFileSystem"/>).</summary>
    public IStorageFileSystem? FileSystem { get; init; }

    /// <summary>
    /// Default of <see cref="Session.StatementTimeout"/>: a statement running longer is stopped with
    /// FND5702 "canceling statement due to statement timeout". Null (the default) means no limit.
    /// </summary>
    public TimeSpan? StatementTimeout { get; init; }

    /// <summary>
    /// Default of <see cref="Session.LockTimeout"/>: how long a statement waits for a lock another
    /// transaction holds before it fails with FND5503 "canceling statement due to lock timeout".
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.
    /// </summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Memory budget of one statement's sorts and hash tables, in bytes; beyond it they spill to
    /// temporary files. Null: half the buffer pool (cache frames x page size; 16 MiB by default).
    /// A session can override it (<see cref="Session.OperatorMemoryBytes"/>).
    /// </summary>
    public long? OperatorMemoryBytes { get; init; }

    /// <summary>Directory of spill files; null: the system temporary directory.</summary>
    public string? SpillDirectory { get; init; }

    /// <summary>
    /// Open even when recovery refuses the write-ahead log (FND5120), keeping only the part before the
    /// damage; <see cref="Database.Recovery"/> says what was dropped. For `foundry recover --accept-loss`.
    /// </summary>
    public bool AcceptLogLoss { get; init; }
}
