namespace Foundry.Storage;

/// <summary>
/// One cached page. States and transitions:
///
/// | state          | meaning                                     | leaves by                                   |
/// |----------------|---------------------------------------------|---------------------------------------------|
/// | clean          | Data equals the committed bytes on disk     | MarkDirty -> dirty; eviction (if unpinned)   |
/// | dirty          | Data holds uncommitted changes              | Commit -> clean; Rollback -> dropped         |
///
/// Pinning is orthogonal: PinCount &gt; 0 while some <see cref="PageRef"/> is alive. A frame is evicted
/// only when clean and unpinned; a dirty frame stays in the cache until Commit or Rollback.
/// </summary>
internal sealed class Frame
{
    public Frame(uint pageId, int pageSizeBytes)
    {
        PageId = pageId;
        // Pinned once for its whole life so generated code and spans may hold it without re-pinning.
        Data = GC.AllocateArray<byte>(pageSizeBytes, pinned: true);
        LruNode = new LinkedListNode<Frame>(this);
    }

    public uint PageId { get; }

    public byte[] Data { get; }

    public int PinCount;

    public bool IsDirty;

    /// <summary>False once the pager dropped the frame (rollback or eviction); stale PageRefs then fail loudly.</summary>
    public bool IsLive = true;

    public LinkedListNode<Frame> LruNode { get; }
}
