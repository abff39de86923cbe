namespace Foundry.Storage;

/// <summary>Options for <see cref="Pager.Open"/>.</summary>
public sealed class PagerOptions
{
    /// <summary>
    /// Page size used when a new file is formatted: a power of two in [512, 65536].
    /// An existing file keeps the page size stored in its header; this value is then ignored.
    /// </summary>
    public int PageSizeBytes { get; init; } = 8192;

    /// <summary>
    /// Buffer-pool frames (at least <see cref="Pager.MinCacheFrames"/>). Memory for pages is bounded by
    /// CacheFrames × page size: dirty pages are written back early when needed (steal, after their WAL image).
    /// </summary>
    public int CacheFrames { get; init; } = 4096;

    /// <summary>
    /// The log size (bytes since the last checkpoint) beyond which a commit runs a checkpoint. A page's
    /// first change after a checkpoint logs the whole page, so a short interval multiplies log volume for
    /// writes that touch many pages: single-row inserts into a 1M-row table with a secondary index logged
    /// ~5.3 KB per commit with 16 MiB (the interval ended before most index leaves had been logged once)
    /// and ~0.8 KB with 64 MiB. Recovery reads at most about this much log.
    /// </summary>
    public long CheckpointLogBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Open a database whose log recovery refuses (<see cref="WalRefusedException"/>) anyway: recover the
    /// part of the log before the damage and drop the rest; <see cref="Pager.Recovery"/>'s
    /// <see cref="RecoveryReport.Loss"/> says what was dropped. Only `foundry recover --accept-loss` sets it.
    /// </summary>
    public bool AcceptLogLoss { get; init; }

    /// <summary>Where files come from; null means the operating system (tests pass a <see cref="FaultInjectingFileSystem"/>).</summary>
    public IStorageFileSystem? FileSystem { get; init; }
}
