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
    /// Buffer-pool frames (at least <see cref="Pager.MinCacheFrames"/>). Memory for clean pages is bounded by
    /// CacheFrames × page size; until the WAL allows writing dirty pages early (steal), a transaction that
    /// dirties more pages than this grows the pool until Commit or Rollback (see Pager.BufferPool.cs).
    /// </summary>
    public int CacheFrames { get; init; } = 4096;
}
