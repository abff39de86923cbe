namespace Foundry.Storage;

/// <summary>
/// A pinned page obtained from <see cref="Pager.Get"/> or <see cref="Pager.Allocate"/>; Dispose unpins.
/// <see cref="Buffer"/> is the whole page (header included); the usable area is
/// [<see cref="PageHeader.Size"/>, PageSizeBytes). Call <see cref="MarkDirty"/> before changing the
/// bytes (the pager logs the page's before-image then, PG2); later changes in the same statement need no
/// further call. Dispose exactly once; Commit/Rollback do not unpin.
/// A ref that outlived a Rollback of its (dirty) page is stale: MarkDirty throws, Dispose does nothing.
/// </summary>
public readonly struct PageRef : IDisposable
{
    private readonly Pager _pager;
    private readonly Frame _frame;
    private readonly int _generation;

    internal PageRef(Pager pager, Frame frame)
    {
        _pager = pager;
        _frame = frame;
        _generation = frame.Generation;
        PageId = frame.PageId;
    }

    public uint PageId { get; }

    /// <summary>The page frame. Pinned in memory for its whole life; valid while this ref is undisposed.</summary>
    public byte[] Buffer => _frame.Data;

    public Span<byte> Span => _frame.Data;

    public PageType PageType => PageHeader.GetPageType(_frame.Data);

    internal bool IsStale => _frame.Generation != _generation || !_frame.IsResident;

    public void MarkDirty() => _pager.MarkDirty(_frame, _generation);

    public void Dispose()
    {
        if (_pager is not null && !IsStale)
        {
            _pager.Unpin(_frame);
        }
    }
}
