namespace Foundry.Storage;

/// <summary>Options for <see cref="Pager.Open"/>.</summary>
public sealed class PagerOptions
{
    /// <summary>
    /// Page size used when a new file is formatted: a power of two in [512, 65536].
    /// An existing file keeps the page size stored in its header; this value is then ignored.
    /// </summary>
    public int PageSizeBytes { get; init; } = 8192;

    /// <summary>Soft limit on cached frames; only clean, unpinned frames are evicted to respect it.</summary>
    public int CacheFrames { get; init; } = 4096;
}
