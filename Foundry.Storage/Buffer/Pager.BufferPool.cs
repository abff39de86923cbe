using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Foundry.Storage;

/// <summary>
/// The buffer pool half of <see cref="Pager"/>: frames, pins, dirty tracking and LRU-K (K = 2) eviction.
///
/// Capacity: <see cref="PagerOptions.CacheFrames"/> frames (at least 8). A frame's page-sized array is
/// allocated pinned the first time the pool needs that frame and is then reused for other pages; arrays
/// are never allocated per access. The pool never holds more than <c>CacheFrames</c> frames (apart from
/// frames abandoned by a rollback while still pinned): with the WAL, a dirty page can be written back
/// before its transaction ends (steal), after its image is logged and the log synced (PG1), so a large
/// transaction no longer grows the pool.
///
/// Victim choice (LRU-K, O'Neil, O'Neil and Weikum 1993, K = 2): among unpinned frames (clean or dirty), evict
/// first those whose page was referenced only once (oldest reference first), else the one whose
/// second-most-recent reference is oldest (largest backward 2-distance). A sequential scan touches each
/// page once, so scanned pages are evicted before any page referenced twice — a scan cannot flush the
/// hot set, which plain LRU lets it do. A reference is counted when a page goes from unpinned to pinned;
/// re-pinning an already pinned page is a correlated reference and does not count (so one B+Tree
/// operation touching a page twice does not make it hot). The reference times of recently evicted pages
/// are retained (up to <c>CacheFrames</c> of them), so a page re-read soon after eviction comes back
/// with two references.
///
/// The replacer is kept lazily, because pins are the hottest path of every B+Tree operation while
/// victims are only needed when the pool is full: a frame enters the ordered set when it is first
/// unpinned and stays there while it is pinned and re-referenced, under the key it had when it entered
/// (<see cref="Frame.ReplacerLast"/>, <see cref="Frame.ReplacerPenultimate"/>). Keys only grow (a new
/// reference moves a page later in LRU-K order), so an entry's stored key is never later than its true
/// one. <see cref="NextVictim"/> takes the set's minimum: a pinned frame is dropped (it re-enters when
/// unpinned), a stale one is re-inserted under its current key, and the first entry that is unpinned and
/// current is the exact LRU-K victim. A workload that fits in the pool never touches the set after
/// warm-up; one that evicts re-keys a page at most once per reference.
///
/// Invariants (checked by Debug.Assert and the buffer-pool tests):
///
///  - BP1 A pinned frame is never evicted or reused; every resident unpinned frame is in the replacer, whose
///        stored key is not later than the frame's current LRU-K key.
///  - BP2 <c>_pinnedFrames</c> equals the number of resident frames with PinCount &gt; 0.
///  - BP3 Frames allocated = resident + spare ≤ capacity.
///  - BP4 When every one of the <c>CacheFrames</c> frames is pinned, Get/Allocate of a non-resident page
///        throws "buffer pool exhausted" and changes nothing.
/// </summary>
public sealed partial class Pager
{
    private readonly Dictionary<uint, Frame> _resident = new();
    private readonly Stack<Frame> _spare = new();
    private readonly SortedSet<Frame> _replacer = new(LruKOrder.Instance);
    private readonly HashSet<Frame> _dirty = new();

    /// <summary>
    /// Frames made unlogged since the last commit, so a commit logs them without walking every dirty frame
    /// (which, between checkpoints, is most of the pool). May hold duplicates and frames logged or
    /// released since: each is logged only while its Unlogged flag is set (Release clears it).
    /// </summary>
    private readonly List<Frame> _unlogged = new();
    private readonly Dictionary<uint, long> _evictedHistory = new();
    private readonly Queue<(uint PageId, long Reference)> _evictedHistoryOrder = new();
    private readonly int _capacity;
    private int _allocatedFrames;
    private int _pinnedFrames;
    private long _clock;

    /// <summary>Frames the pool may hold (<see cref="PagerOptions.CacheFrames"/>, at least 8).</summary>
    public int CacheCapacityFrames => _capacity;

    /// <summary>Pages currently held in frames (for tests and diagnostics).</summary>
    public int CachedFrameCount => _resident.Count;

    /// <summary>Frames whose arrays are currently allocated (resident plus spare).</summary>
    public int AllocatedFrameCount => _allocatedFrames;

    /// <summary>Resident frames currently pinned by at least one <see cref="PageRef"/>.</summary>
    public int PinnedFrameCount => _pinnedFrames;

    /// <summary>Pages read from the file since the pager was opened (buffer-pool misses).</summary>
    public long PageReads { get; private set; }

    /// <summary>True when page <paramref name="pageId"/> is currently held in a frame (for tests).</summary>
    public bool IsCached(uint pageId) => _resident.ContainsKey(pageId);

    private bool TryGetResident(uint pageId, [NotNullWhen(true)] out Frame? frame)
    {
        if (!_resident.TryGetValue(pageId, out frame))
        {
            return false;
        }
        Pin(frame);
        return true;
    }

    /// <summary>Pins a resident frame; a 0 -> 1 pin is a new (uncorrelated) LRU-K reference (the replacer entry is re-keyed lazily).</summary>
    private void Pin(Frame frame)
    {
        if (frame.PinCount == 0)
        {
            frame.PenultimateReference = frame.LastReference;
            frame.LastReference = ++_clock;
            _pinnedFrames++;
        }
        frame.PinCount++;
    }

    internal void Unpin(Frame frame)
    {
        Debug.Assert(frame.PinCount > 0, "BP2: unpin of an unpinned frame");
        if (--frame.PinCount > 0)
        {
            return;
        }
        _pinnedFrames--;
        if (_allocatedFrames > _capacity && !frame.IsDirty)
        {
            Release(frame, keepArray: false);
        }
        else if (!frame.InReplacer)
        {
            AddToReplacer(frame);
        }
    }

    private void AddToReplacer(Frame frame)
    {
        frame.ReplacerLast = frame.LastReference;
        frame.ReplacerPenultimate = frame.PenultimateReference;
        frame.InReplacer = true;
        _replacer.Add(frame);
    }

    /// <summary>
    /// The LRU-K victim: the first replacer entry that is unpinned and keyed by its current references.
    /// Pinned entries leave the set (they re-enter on unpin); stale ones are re-inserted under their
    /// current key, which sorts later. Null when every resident frame is pinned.
    /// </summary>
    private Frame? NextVictim()
    {
        while (_replacer.Min is { } first)
        {
            if (first.PinCount == 0 && first.ReplacerLast == first.LastReference && first.ReplacerPenultimate == first.PenultimateReference)
            {
                return first;
            }
            _replacer.Remove(first);
            first.InReplacer = false;
            if (first.PinCount == 0)
            {
                AddToReplacer(first);
            }
        }
        return null;
    }

    /// <summary>Flags the frame's bytes as changed since its last Redo image and remembers it for the commit.</summary>
    private void MarkUnlogged(Frame frame)
    {
        if (!frame.Unlogged)
        {
            frame.Unlogged = true;
            _unlogged.Add(frame);
        }
    }

    internal void MarkDirty(Frame frame, int generation)
    {
        if (!frame.IsResident || frame.Generation != generation)
        {
            throw new StorageException(
                $"a page of '{Path}' was marked dirty through a stale PageRef (its frame was dropped by Rollback); this is a Foundry bug");
        }
        BeforeChange(frame);
        MarkUnlogged(frame);
        if (!frame.IsDirty)
        {
            frame.IsDirty = true;
            _dirty.Add(frame);
        }
    }

    /// <summary>
    /// A frame for <paramref name="pageId"/>, made resident and pinned, its bytes unspecified. Takes a spare
    /// frame, else allocates one while under capacity, else evicts the LRU-K victim, else (every unpinned
    /// frame dirty) grows past capacity; throws when every frame is pinned (BP4).
    /// </summary>
    private Frame AcquireFrame(uint pageId)
    {
        Frame frame;
        if (_spare.Count > 0)
        {
            frame = _spare.Pop();
        }
        else if (_allocatedFrames < _capacity)
        {
            frame = new Frame(PageSizeBytes);
            _allocatedFrames++;
        }
        else if (NextVictim() is { } victim)
        {
            Evict(victim);
            frame = _spare.Pop();
        }
        else
        {
            throw new StorageException(
                $"buffer pool exhausted: all {_capacity} frames are pinned (reading page {pageId} of '{Path}'); release cursors or page references, or raise PagerOptions.CacheFrames");
        }
        frame.PageId = pageId;
        frame.IsResident = true;
        frame.IsDirty = false;
        frame.Unlogged = false;
        frame.PinCount = 0;
        frame.StatementNumber = 0;
        frame.LastReference = 0;
        frame.PenultimateReference = 0;
        if (_evictedHistory.Remove(pageId, out long previous))
        {
            frame.LastReference = previous;
        }
        _resident.Add(pageId, frame);
        Pin(frame);
        return frame;
    }

    private void Evict(Frame victim)
    {
        Debug.Assert(victim.PinCount == 0, "BP1: only unpinned frames are evicted");
        if (victim.IsDirty)
        {
            WritePage(victim); // steal: log image, sync log, write (PG1)
        }
        RememberEvicted(victim.PageId, victim.LastReference);
        Release(victim, keepArray: true);
    }

    private void RememberEvicted(uint pageId, long reference)
    {
        _evictedHistory[pageId] = reference;
        _evictedHistoryOrder.Enqueue((pageId, reference));
        while (_evictedHistoryOrder.Count > _capacity)
        {
            (uint oldId, long oldRef) = _evictedHistoryOrder.Dequeue();
            if (_evictedHistory.TryGetValue(oldId, out long current) && current == oldRef)
            {
                _evictedHistory.Remove(oldId);
            }
        }
    }

    /// <summary>
    /// Makes a resident frame non-resident. A pinned frame (only Rollback drops those) is abandoned so its
    /// stale refs never see another page; others go to the spare stack, or are freed beyond capacity.
    /// </summary>
    private void Release(Frame frame, bool keepArray)
    {
        _resident.Remove(frame.PageId);
        if (frame.InReplacer)
        {
            _replacer.Remove(frame);
            frame.InReplacer = false;
        }
        frame.IsResident = false;
        if (frame.IsDirty)
        {
            _dirty.Remove(frame);
        }
        frame.IsDirty = false;
        frame.Unlogged = false;
        frame.Generation++;
        if (frame.PinCount > 0)
        {
            _pinnedFrames--;
            _allocatedFrames--;
        }
        else if (keepArray && _allocatedFrames <= _capacity)
        {
            _spare.Push(frame);
        }
        else
        {
            _allocatedFrames--;
        }
    }

    /// <summary>After Commit or Rollback: frees frames beyond capacity (spares first, then LRU-K victims).</summary>
    private void TrimToCapacity()
    {
        while (_allocatedFrames > _capacity && _spare.Count > 0)
        {
            _spare.Pop();
            _allocatedFrames--;
        }
        while (_allocatedFrames > _capacity && NextVictim() is { } victim)
        {
            if (victim.IsDirty)
            {
                WritePage(victim);
            }
            RememberEvicted(victim.PageId, victim.LastReference);
            Release(victim, keepArray: false);
        }
    }

    /// <summary>
    /// Cold frames (one reference) before hot ones; cold by oldest reference, hot by oldest HIST(2). Compares
    /// the keys stored when the frame entered the set, so re-referencing a frame never disturbs the tree.
    /// </summary>
    private sealed class LruKOrder : IComparer<Frame>
    {
        public static readonly LruKOrder Instance = new();

        public int Compare(Frame? x, Frame? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }
            bool xHot = x!.ReplacerPenultimate != 0, yHot = y!.ReplacerPenultimate != 0;
            if (xHot != yHot)
            {
                return xHot ? 1 : -1;
            }
            int c = xHot
                ? x.ReplacerPenultimate.CompareTo(y.ReplacerPenultimate)
                : x.ReplacerLast.CompareTo(y.ReplacerLast);
            return c != 0 ? c : x.PageId.CompareTo(y.PageId);
        }
    }
}
