namespace Foundry.Storage;

/// <summary>
/// One buffer-pool frame: a page-sized array allocated pinned once (<c>GC.AllocateArray(pinned: true)</c>)
/// and reused for different pages over the pool's life. States and transitions:
///
/// | state            | meaning                                          | leaves by                                        |
/// |------------------|--------------------------------------------------|--------------------------------------------------|
/// | spare            | holds no page (IsResident false)                 | Pager.AcquireFrame -> resident clean or dirty     |
/// | resident clean   | Data equals the committed bytes on disk           | MarkDirty -> dirty; eviction (if unpinned) -> spare|
/// | resident dirty   | Data holds uncommitted changes                   | Commit -> clean; Rollback -> spare (or abandoned) |
/// | abandoned        | dropped by Rollback while pinned; never reused   | garbage-collected with its last stale PageRef     |
///
/// Pinning is orthogonal: PinCount &gt; 0 while some <see cref="PageRef"/> is alive. Every resident unpinned
/// frame is in the replacer (InReplacer; a pinned one may still be there until the replacer next looks at
/// it) and can be evicted: a dirty one is written back first, after the
/// WAL holds and has synced its image (steal, with the write-ahead rule). <see cref="Generation"/> changes
/// whenever the frame stops holding a page, so a stale PageRef (kept across a Rollback) is recognised.
///
/// LRU-K history (K = 2), in ticks of the pager's reference clock: <see cref="LastReference"/> is HIST(1),
/// <see cref="PenultimateReference"/> is HIST(2), 0 when the page was referenced fewer than twice.
/// </summary>
internal sealed class Frame
{
    public Frame(int pageSizeBytes)
    {
        // Pinned once for the frame's whole life, so spans and generated code may hold it without re-pinning.
        Data = GC.AllocateArray<byte>(pageSizeBytes, pinned: true);
    }

    public uint PageId;

    public byte[] Data { get; }

    public int PinCount;

    public bool IsDirty;

    /// <summary>Dirty with changes that no WAL redo image holds yet (only the active transaction's pages).</summary>
    public bool Unlogged;

    /// <summary>End LSN of the frame's latest Redo image: the log must be durable to here before the page is written (PG1).</summary>
    public long LogEnd;

    public bool IsResident;

    public bool InReplacer;

    public int Generation;

    public long LastReference;

    public long PenultimateReference;

    /// <summary>
    /// The pager's statement number when this frame's page last went through BeforeChange: equal to the
    /// current one means the statement's before-image is already taken, so MarkDirty skips the lookups.
    /// </summary>
    public long StatementNumber;

    /// <summary>LastReference when the frame entered the replacer: its key there (see Pager.BufferPool.cs).</summary>
    public long ReplacerLast;

    /// <summary>PenultimateReference when the frame entered the replacer.</summary>
    public long ReplacerPenultimate;
}
