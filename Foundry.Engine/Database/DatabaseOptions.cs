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
    /// Open even when recovery refuses the write-ahead log (FND5110), keeping only the part before the
    /// damage; <see cref="Database.Recovery"/> says what was dropped. For `foundry recover --accept-loss`.
    /// </summary>
    public bool AcceptLogLoss { get; init; }
}
