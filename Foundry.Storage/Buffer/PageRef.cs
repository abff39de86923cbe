namespace Foundry.Storage;

/// <summary>
/// A pinned page obtained from <see cref="Pager.Get"/> or <see cref="Pager.Allocate"/>; Dispose unpins.
/// <see cref="Buffer"/> is the whole page (header included); the usable area is
/// [<see cref="PageHeader.Size"/>, PageSizeBytes). Call <see cref="MarkDirty"/> before or after
/// changing the bytes, before the next Commit. Dispose exactly once; Commit/Rollback do not unpin.
/// </summary>
public readonly struct PageRef : IDisposable
{
    private readonly Pager _pager;
    private readonly Frame _frame;

    internal PageRef(Pager pager, Frame frame)
    {
        _pager = pager;
        _frame = frame;
    }

    public uint PageId => _frame.PageId;

    /// <summary>The page frame. Pinned in memory for its whole life; valid while this ref is undisposed.</summary>
    public byte[] Buffer => _frame.Data;

    public Span<byte> Span => _frame.Data;

    public PageType PageType => PageHeader.GetPageType(_frame.Data);

    public void MarkDirty() => _pager.MarkDirty(_frame);

    public void Dispose() => _pager?.Unpin(_frame);
}
