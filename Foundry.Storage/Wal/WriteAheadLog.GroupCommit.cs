using System.Diagnostics;

namespace Foundry.Storage;

/// <summary>
/// Flushing the log, and group commit: concurrent committers share one write and fsync.
///
/// A committer calls Flush(its commit LSN, sync: true). If no flush is running it becomes the leader: it
/// takes the whole buffer (its own record and every record appended so far by others), writes it and
/// fsyncs once, outside the gate, while later committers append and wait (WAL3). When the leader
/// finishes it hands off: it wakes the first waiter whose LSN is still not durable, which leads the next
/// flush; the waiters this flush satisfied are woken by that new leader once it has taken the buffer, so
/// the next fsync is not queued behind their wake-ups.
///
/// Left at that, N concurrent committers settle into two groups that alternate (one is synced while the
/// other appends), so an fsync carries about N/2 commits. Two measures make them one group, measured on
/// the 2-core CI machine (8 sessions: ~4 commits per fsync before, ~7.9 after; 2.4x the single-session
/// rate before, 4–5x after):
///
///  - Waiters spin before they block. A committer expects to be woken within about one fsync, and on a
///    small virtual machine a blocked thread takes ~25 us to run again once woken (a 50 us round trip
///    between two threads) — a quarter of a ~100 us fsync, paid by the next leader and by every member
///    of the group on every cycle. So a waiter spins, yielding its core to runnable threads, for up to
///    twice the recent average fsync time, then blocks. When fsyncs are slow (an average over
///    <see cref="MaxSpinMicroseconds"/>) or there is one core, it blocks at once.
///  - The leader waits for its group (<see cref="AwaitGroup"/>): before it takes the buffer it lets the
///    committers of the last round, just satisfied, append their next commits, for at most the same spin
///    budget. A lone committer never waits: its last round had no one else.
/// </summary>
public sealed partial class WriteAheadLog
{
    /// <summary>The first failed write or fsync of the log (WAL6).</summary>
    private Exception? _failure;

    /// <summary>The first failed write or fsync of the log, or null (WAL6).</summary>
    public Exception? Failure
    {
        get
        {
            lock (_gate)
            {
                return _failure;
            }
        }
    }

    /// <summary>Moving average of fsync durations, in <see cref="Stopwatch"/> ticks; sets how long waiters spin.</summary>
    private long _syncTicksAverage;

    /// <summary>When the last synced flush ended (<see cref="Stopwatch"/> ticks).</summary>
    private long _lastSyncEnd;

    /// <summary>
    /// Committers that took part in the last round: the waiters the last flush led by a committer satisfied,
    /// plus those still waiting. Flushes under the storage latch (before a page write, at a checkpoint) do
    /// not set it: they happen at any moment and may satisfy only part of a group.
    /// </summary>
    private int _expectedGroup;

    /// <summary><c>_waiters.Count</c>, readable without the gate by a leader waiting for its group.</summary>
    private int _waiterCount;

    /// <summary>Waiters spin only while fsyncs take at most this long on average.</summary>
    public const int MaxSpinMicroseconds = 250;

    /// <summary>Committers waiting for a flush, in arrival order.</summary>
    private readonly List<FlushWaiter> _waiters = new();

    /// <summary>Waiters the last flush satisfied, woken by the next leader once it has taken the buffer.</summary>
    private List<FlushWaiter> _releaseAfterStart = new();

    /// <summary>
    /// Returns once every record before <paramref name="lsn"/> is written to the file, and fsynced when
    /// <paramref name="sync"/>. Thread-safe; concurrent callers share one write and fsync. Throws if an
    /// earlier flush failed (WAL6).
    /// </summary>
    public void Flush(long lsn, bool sync) => FlushThrough(lsn, sync, awaitGroup: false);

    /// <summary>
    /// Returns once a commit ending at <paramref name="lsn"/> is durable, sharing the fsync with concurrent
    /// committers; as leader it may wait for them (<see cref="AwaitGroup"/>), so call it only without the
    /// storage latch, which they need to append (WAL4).
    /// </summary>
    public void FlushCommit(long lsn) => FlushThrough(lsn, sync: true, awaitGroup: true);

    private void FlushThrough(long lsn, bool sync, bool awaitGroup)
    {
        lock (_gate)
        {
            FlushWaiter? me = null;
            while (!IsDone(lsn, sync))
            {
                if (_failure is not null)
                {
                    throw new LogFailedException(Path, _failure);
                }
                if (_flushing)
                {
                    me ??= new FlushWaiter(lsn, sync);
                    WaitForHandOff(me);
                    continue;
                }
                if (me is not null)
                {
                    RemoveWaiter(me);
                }
                Lead(sync, awaitGroup);
            }
            if (me is not null)
            {
                RemoveWaiter(me);
            }
        }
    }

    private void RemoveWaiter(FlushWaiter w)
    {
        _waiters.Remove(w);
        Volatile.Write(ref _waiterCount, _waiters.Count);
    }

    private bool IsDone(long lsn, bool sync) => sync ? _durableLsn >= lsn : _writtenLsn >= lsn;

    /// <summary>A committer waiting for a flush, with its own monitor so a hand-off can wake exactly it.</summary>
    private sealed class FlushWaiter(long lsn, bool sync)
    {
        public long Lsn { get; } = lsn;
        public bool Sync { get; } = sync;
        public bool Woken;
    }

    /// <summary>Queues <paramref name="me"/> and sleeps until a hand-off wakes it (caller holds the gate; released while asleep).</summary>
    private void WaitForHandOff(FlushWaiter me)
    {
        if (!_waiters.Contains(me))
        {
            _waiters.Add(me);
            Volatile.Write(ref _waiterCount, _waiters.Count);
        }
        me.Woken = false;
        long spinTicks = SpinTicks();
        Monitor.Exit(_gate);
        try
        {
            if (spinTicks > 0)
            {
                long deadline = Stopwatch.GetTimestamp() + spinTicks;
                while (!Volatile.Read(ref me.Woken) && Stopwatch.GetTimestamp() < deadline)
                {
                    Thread.Yield();
                }
            }
            lock (me)
            {
                if (!me.Woken)
                {
                    Monitor.Wait(me, 10); // the hand-off wakes it; the timeout is only a safety net
                }
            }
        }
        finally
        {
            Monitor.Enter(_gate);
        }
    }

    /// <summary>How long a waiter spins before it blocks (see the class remarks): zero when fsyncs are slow or there is one core.</summary>
    private long SpinTicks()
    {
        long average = _syncTicksAverage;
        bool worthIt = Environment.ProcessorCount > 1 && average > 0
            && average <= MaxSpinMicroseconds * Stopwatch.Frequency / 1_000_000;
        return worthIt ? 2 * average : 0;
    }

    /// <summary>
    /// Lets the committers of the last round join this commit's flush (leader, gate held; released while
    /// it waits). They were satisfied by the last fsync and are about to append their next commits;
    /// without the wait this flush would leave without them and they would form a second group that
    /// alternates with this one, halving the commits each fsync carries. The leader wakes them, then spins
    /// until as many committers wait as took part in the last round, for at most the spin budget (twice
    /// the average fsync): a late committer then costs one more fsync, no more. It does not wait when
    /// spinning is off, nor when the last round ended longer ago than that (its committers have gone).
    /// </summary>
    private void AwaitGroup()
    {
        long spinTicks = SpinTicks();
        int expected = _expectedGroup;
        long now = Stopwatch.GetTimestamp();
        if (spinTicks == 0 || _waiters.Count >= expected || now - _lastSyncEnd > spinTicks)
        {
            return;
        }
        List<FlushWaiter> release = TakeReleaseAfterStart();
        Monitor.Exit(_gate);
        try
        {
            WakeAll(release);
            long deadline = now + spinTicks;
            while (Volatile.Read(ref _waiterCount) < expected && Stopwatch.GetTimestamp() < deadline)
            {
                Thread.Yield();
            }
        }
        finally
        {
            Monitor.Enter(_gate);
        }
    }

    /// <summary>
    /// Writes (and syncs) everything appended so far as the flush leader (caller holds the gate; released
    /// during the I/O), then hands off: the first waiter the flush did not satisfy is woken to lead the next
    /// flush, and the satisfied ones are woken only once that leader has taken the buffer, so the device
    /// gets its next sync without waiting behind their wake-ups.
    /// </summary>
    private void Lead(bool sync, bool awaitGroup)
    {
        _flushing = true;
        if (awaitGroup)
        {
            AwaitGroup();
        }
        byte[] data = _buffer.AsSpan(0, _bufferLength).ToArray();
        long start = _bufferStartLsn;
        long target = _endLsn;
        long durable = _durableLsn;
        _bufferLength = 0;
        _bufferStartLsn = target;
        List<FlushWaiter> release = TakeReleaseAfterStart();
        Monitor.Exit(_gate);
        Exception? error = null;
        long syncTicks = 0;
        try
        {
            WakeAll(release);
            if (data.Length > 0)
            {
                WriteSectors(data, start, durable, sync);
            }
            if (sync)
            {
                long started = Stopwatch.GetTimestamp();
                _file.Sync();
                syncTicks = Stopwatch.GetTimestamp() - started;
            }
        }
        catch (Exception ex)
        {
            error = ex;
            throw;
        }
        finally
        {
            Monitor.Enter(_gate);
            _flushing = false;
            if (error is null)
            {
                _writtenLsn = target;
                if (sync)
                {
                    _durableLsn = target;
                    SyncCount++;
                    _syncTicksAverage = _syncTicksAverage == 0 ? syncTicks : _syncTicksAverage + (syncTicks - _syncTicksAverage) / 8;
                    _lastSyncEnd = Stopwatch.GetTimestamp();
                }
            }
            else
            {
                _failure ??= error;
            }
            HandOff(error is null, commitRound: awaitGroup && error is null);
            Monitor.PulseAll(_gate); // Truncate waits on the gate for the flush to end
        }
    }

    /// <summary>
    /// Writes the stream bytes <paramref name="data"/> (from <paramref name="start"/>) as whole sectors (WAL7):
    /// the first rewrites the sector holding <paramref name="start"/> with the bytes it already held; the
    /// data of the last, if partial, is kept for the next flush to carry. Leader only (WAL3).
    /// </summary>
    private void WriteSectors(byte[] data, long start, long durable, bool sync)
    {
        int carried = (int)((start - _baseLsn) % WalSectors.DataSize);
        var sectors = new byte[WalSectors.EncodedLength(_baseLsn, start, data.Length)];
        WalSectors.EncodeStream(sectors, _baseLsn, start, _carried.AsSpan(0, carried), data, _databaseId, durable);
        long offset = WalSectors.FileOffset(WalSectors.IndexOf(_baseLsn, start));
        if (sync)
        {
            Preallocate(offset + sectors.Length);
        }
        _file.Write(sectors, offset);
        _allocatedEnd = Math.Max(_allocatedEnd, offset + sectors.Length);
        int last = (int)((start + data.Length - _baseLsn) % WalSectors.DataSize);
        sectors.AsSpan(sectors.Length - WalSectors.Size + WalSectors.DataOffset, last).CopyTo(_carried);
    }

    /// <summary>After a flush (gate held): wake the next leader now, and the satisfied waiters now or once it has started.</summary>
    private void HandOff(bool ok, bool commitRound)
    {
        FlushWaiter? next = null;
        var satisfied = new List<FlushWaiter>();
        foreach (FlushWaiter w in _waiters)
        {
            if (IsDone(w.Lsn, w.Sync))
            {
                satisfied.Add(w);
            }
            else
            {
                next ??= w;
            }
        }
        foreach (FlushWaiter w in satisfied)
        {
            RemoveWaiter(w);
        }
        if (commitRound)
        {
            _expectedGroup = satisfied.Count + _waiters.Count;
        }
        if (next is not null && ok)
        {
            _releaseAfterStart.AddRange(satisfied);
            Wake(next);
        }
        else
        {
            // No next flush (or this one failed: every waiter wakes and throws, WAL6).
            WakeAll(_waiters);
            WakeAll(satisfied);
        }
    }

    /// <summary>Takes the waiters deferred to the next leader (gate held), for it to wake once it has let go of the gate.</summary>
    private List<FlushWaiter> TakeReleaseAfterStart()
    {
        List<FlushWaiter> release = _releaseAfterStart;
        _releaseAfterStart = new List<FlushWaiter>();
        return release;
    }

    private static void WakeAll(List<FlushWaiter> waiters)
    {
        foreach (FlushWaiter w in waiters)
        {
            Wake(w);
        }
    }

    private static void Wake(FlushWaiter w)
    {
        lock (w)
        {
            w.Woken = true;
            Monitor.Pulse(w);
        }
    }
}
