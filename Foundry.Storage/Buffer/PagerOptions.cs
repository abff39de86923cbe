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

    /// <summary>The log size (bytes since the last checkpoint) beyond which a commit runs a checkpoint.</summary>
    public long CheckpointLogBytes { get; init; } = 16L << 20;

    /// <summary>Where files come from; null means the operating system (tests pass a <see cref="FaultInjectingFileSystem"/>).</summary>
    public IStorageFileSystem? FileSystem { get; init; }
}
