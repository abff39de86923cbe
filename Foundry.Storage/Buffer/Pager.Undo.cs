namespace Foundry.Storage;

/// <summary>
/// The undo half of <see cref="Pager"/>: before-images of the pages a transaction and its current
/// statement change, for Rollback, RollbackStatement and crash recovery (PG2, PG5).
///
/// A page's transaction-start image is taken the first time the transaction changes it and is kept in
/// memory; it goes to the log as an Undo record only when it must: before a Redo image of the page is
/// logged while the transaction is still active (steal, where the page may then reach the database
/// file), or when the images held in memory pass <see cref="UndoMemoryLimitPages"/>. A transaction whose
/// pages all stay in the pool until it commits logs no Undo record at all, which halves the log of a
/// small transaction. That is safe because recovery ignores the Redo images of a transaction without a
/// Commit or Abort record (see <see cref="WalRecovery"/>), so the only uncommitted bytes it can find in the
/// database file are stolen pages, and those had their Undo record logged first.
///
/// Statement savepoints: a page first changed by the transaction in this statement is restored from its
/// transaction-start image; a page the transaction had changed before gets a statement-start copy in
/// memory (<see cref="_statementCopies"/>), never logged, because crash recovery undoes whole
/// transactions.
/// </summary>
public sealed partial class Pager
{
    /// <summary>A page's bytes from before the transaction changed it: in memory, in the log, or both.</summary>
    private sealed class UndoImage
    {
        /// <summary>LSN of its Undo record, 0 while it is only in memory.</summary>
        public long Lsn;

        /// <summary>The bytes while held in memory (a pooled page-sized array), else null.</summary>
        public byte[]? Bytes;
    }

    /// <summary>Transaction-start images by page id; null for pages that did not exist when the transaction began.</summary>
    private readonly Dictionary<uint, UndoImage?> _txnUndo = new();

    /// <summary>The entries of <see cref="_txnUndo"/> created in the current statement.</summary>
    private readonly Dictionary<uint, UndoImage?> _statementUndo = new();

    /// <summary>Statement-start copies of pages the transaction had changed before this statement (PG2).</summary>
    private readonly Dictionary<uint, byte[]> _statementCopies = new();

    /// <summary>
    /// Page-sized arrays of forgotten images and copies, reused for the next ones: in a long transaction of
    /// small statements every statement copies the pages it touches, and allocating (and zeroing) a fresh
    /// array each time cost more than the copy itself. At most <see cref="CopyPoolLimit"/> are kept.
    /// </summary>
    private readonly Stack<byte[]> _copyPool = new();

    private const int CopyPoolLimit = 256;

    /// <summary>Transaction-start images currently held only in memory.</summary>
    private int _undoPagesInMemory;

    /// <summary>Changes whenever the statement's before-images are forgotten; see <see cref="Frame.StatementNumber"/>.</summary>
    private long _statementNumber = 1;

    /// <summary>In-memory transaction-start images beyond which all of them are logged and released: an eighth of the pool, at least 8.</summary>
    private int UndoMemoryLimitPages => Math.Max(8, _capacity / 8);

    /// <summary>PG2: keeps the page's before-image the first time the statement changes it.</summary>
    private void BeforeChange(Frame frame)
    {
        EnsureTransaction();
        if (frame.StatementNumber == _statementNumber)
        {
            return; // already handled in this statement: its image is in _statementUndo or _statementCopies
        }
        frame.StatementNumber = _statementNumber;
        uint id = frame.PageId;
        if (_statementUndo.ContainsKey(id) || _statementCopies.ContainsKey(id))
        {
            return;
        }
        if (id >= _statementHeader.PageCount)
        {
            // Created in this statement: rolling back just drops it, and it has no transaction-start image.
            _statementUndo[id] = null;
            _txnUndo.TryAdd(id, null);
            return;
        }
        if (_txnUndo.ContainsKey(id))
        {
            // Changed (or created) earlier in the transaction: a statement-start copy suffices.
            _statementCopies[id] = CopyOf(frame.Data);
            return;
        }
        // Existed when the statement began and the transaction has not touched it: so it existed when
        // the transaction began (pages the transaction creates are all in _txnUndo).
        var image = new UndoImage { Bytes = CopyOf(frame.Data) };
        _undoPagesInMemory++;
        _txnUndo[id] = image;
        _statementUndo[id] = image;
        if (_undoPagesInMemory > UndoMemoryLimitPages)
        {
            LogAllUndoImages();
        }
    }

    /// <summary>Logs the page's transaction-start image if it is only in memory (before a steal can write the page).</summary>
    private void LogUndoImage(uint pageId)
    {
        if (_txnId != 0 && _txnUndo.TryGetValue(pageId, out UndoImage? image) && image is { Lsn: 0, Bytes: { } bytes })
        {
            image.Lsn = _wal.Append(_txnId, WalRecordType.Undo, pageId, bytes);
        }
    }

    /// <summary>Logs every in-memory transaction-start image and releases its memory.</summary>
    private void LogAllUndoImages()
    {
        foreach ((uint id, UndoImage? image) in _txnUndo)
        {
            if (image?.Bytes is { } bytes)
            {
                if (image.Lsn == 0)
                {
                    image.Lsn = _wal.Append(_txnId, WalRecordType.Undo, id, bytes);
                }
                ReturnArray(bytes);
                image.Bytes = null;
            }
        }
        _undoPagesInMemory = 0;
    }

    private void ClearTransactionUndo()
    {
        foreach (UndoImage? image in _txnUndo.Values)
        {
            if (image?.Bytes is { } bytes)
            {
                ReturnArray(bytes);
            }
        }
        _txnUndo.Clear();
        _undoPagesInMemory = 0;
    }

    /// <summary>Forgets the statement's before-images; frames stamped with the old statement number no longer skip BeforeChange.</summary>
    private void ClearStatementUndo()
    {
        _statementUndo.Clear();
        foreach (byte[] copy in _statementCopies.Values)
        {
            ReturnArray(copy);
        }
        _statementCopies.Clear();
        _statementNumber++;
    }

    private byte[] CopyOf(byte[] page)
    {
        byte[] copy = _copyPool.Count > 0 ? _copyPool.Pop() : GC.AllocateUninitializedArray<byte>(PageSizeBytes);
        page.AsSpan(0, PageSizeBytes).CopyTo(copy);
        return copy;
    }

    private void ReturnArray(byte[] array)
    {
        if (_copyPool.Count < CopyPoolLimit)
        {
            _copyPool.Push(array);
        }
    }

    /// <summary>
    /// Puts back the transaction-start images in <paramref name="undo"/> (null: the page did not exist, its
    /// frame is just dropped). Resident frames are dropped first so stale PageRefs are recognised. With
    /// <paramref name="compensate"/> each restored page is logged as a Redo image (a compensation record;
    /// it needs no Undo record: its bytes are the before-image).
    /// </summary>
    private void RestoreImages(Dictionary<uint, UndoImage?> undo, bool compensate)
    {
        foreach ((uint id, UndoImage? image) in undo.OrderBy(e => e.Key))
        {
            if (image is null)
            {
                Drop(id);
                continue;
            }
            Frame frame = Reinstate(id, image.Bytes ?? _wal.ReadPayload(image.Lsn));
            if (compensate)
            {
                LogImage(frame, undoFirst: false, fullImage: true);
            }
            Unpin(frame);
        }
    }

    /// <summary>Puts back in-memory statement-start copies (RollbackStatement); the pages stay dirty and unlogged.</summary>
    private void RestoreCopies(Dictionary<uint, byte[]> copies)
    {
        foreach ((uint id, byte[] image) in copies.OrderBy(e => e.Key))
        {
            Unpin(Reinstate(id, image));
        }
    }

    /// <summary>Drops the page's resident frame, if any, so stale PageRefs to it are recognised.</summary>
    private void Drop(uint id)
    {
        if (_resident.TryGetValue(id, out Frame? old))
        {
            Release(old, keepArray: true);
        }
    }

    /// <summary>Replaces the page's frame with a fresh one holding <paramref name="bytes"/>, dirty and unlogged; returned pinned.</summary>
    private Frame Reinstate(uint id, byte[] bytes)
    {
        Drop(id);
        Frame frame = AcquireFrame(id);
        bytes.CopyTo(frame.Data, 0);
        frame.IsDirty = true;
        MarkUnlogged(frame);
        _dirty.Add(frame);
        return frame;
    }
}
