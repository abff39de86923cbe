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

    /// <summary>
    /// Memory budget of one statement's sorts and hash tables, in bytes; beyond it they spill to
    /// temporary files. Null: half the buffer pool (cache frames x page size; 16 MiB by default).
    /// A session can override it (<see cref="Session.OperatorMemoryBytes"/>).
    /// </summary>
    public long? OperatorMemoryBytes { get; init; }

    /// <summary>Directory of spill files; null: the system temporary directory.</summary>
    public string? SpillDirectory { get; init; }
}
