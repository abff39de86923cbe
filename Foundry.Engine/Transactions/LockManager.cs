namespace Foundry.Engine;

/// <summary>
/// Strict two-phase locking at table granularity, with deadlock detection on a wait-for graph.
///
/// Resources are names: <c>catalog</c> (S for every statement, X for schema changes), <c>writer</c>
/// (X only: the one transaction allowed to change pages, see Database), and <c>table:name</c> (S to
/// read, X to write). Modes: S is compatible with S; X with nothing. A holder asking again for the same
/// or a weaker mode is granted at once; S -> X is an upgrade, granted when no other transaction holds
/// the resource.
///
/// Invariants:
///
///  - LK1 Two different transactions never hold incompatible modes on one resource.
///  - LK2 Locks are released only by <see cref="ReleaseAll"/> at commit/rollback (strict 2PL): at commit,
///        once the commit record is appended (early lock release; the session then waits for the log
///        to be durable, and so does every later transaction that may have read the changes).
///  - LK3 A waiting transaction waits for exactly one resource; its wait-for edges go to every other
///        holder whose mode conflicts with its request.
///  - LK4 A wait that would close a cycle in the wait-for graph is refused: the requester is the
///        deadlock victim and gets <see cref="DeadlockException"/> (it then rolls back, releasing all).
///        Every cycle is found, because a cycle is closed by the last of its members to start waiting,
///        and that member checks; waiters also re-check whenever they wake up.
///
/// Wake-ups are targeted: each waiter sleeps on its own monitor, and releasing a resource wakes only
/// the waiters of that resource that could now be granted, in arrival order (the first, or every
/// shared one). With eight sessions queued on the writer lock, waking all of them on every commit cost
/// more CPU than the commits did. Waiters also wake every 100 ms to re-check, a safety net only.
///
/// A wait is bounded: after the requester's lock timeout it gives up with <see cref="LockTimeoutException"/>
/// (its wait is removed from the graph and the queue), and it stops at once, with the statement's
/// cancel error, when its statement is asked to stop (checked on every wake-up, at most 100 ms apart).
/// </summary>
internal sealed class LockManager
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Dictionary<Transaction, LockMode>> _holders = new(StringComparer.Ordinal);
    private readonly Dictionary<Transaction, Waiter> _waiting = new();

    /// <summary>Waiters of each resource in arrival order.</summary>
    private readonly Dictionary<string, List<Waiter>> _queues = new(StringComparer.Ordinal);

    /// <summary>A transaction waiting for one resource; its monitor is what it sleeps on.</summary>
    private sealed class Waiter(Transaction txn, string resource, LockMode mode)
    {
        public Transaction Txn { get; } = txn;
        public string Resource { get; } = resource;
        public LockMode Mode { get; } = mode;

        /// <summary>Set (under the waiter's monitor) when a release may have made the request grantable.</summary>
        public bool Woken;
    }
    private readonly Dictionary<Transaction, List<string>> _held = new();

    /// <summary>How many transactions are waiting for a lock now (for diagnostics and tests).</summary>
    public int WaitingCount
    {
        get
        {
            lock (_gate) return _waiting.Count;
        }
    }

    /// <summary>
    /// Grants <paramref name="mode"/> on <paramref name="resource"/>, waiting while others hold a conflicting mode,
    /// for at most <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: no limit) and only while
    /// <paramref name="interrupt"/> is not requested.
    /// </summary>
    public void Acquire(Transaction txn, string resource, LockMode mode, TimeSpan timeout, Foundry.Runtime.StatementInterrupt? interrupt = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            Waiter waiter;
            lock (_gate)
            {
                if (CanGrant(txn, resource, mode))
                {
                    StopWaiting(txn);
                    Grant(txn, resource, mode);
                    return;
                }
                if (_waiting.TryGetValue(txn, out Waiter? existing) && (existing.Resource != resource || existing.Mode != mode))
                {
                    StopWaiting(txn); // a wait left behind by an abandoned request (LK3: one wait at a time)
                    existing = null;
                }
                if (existing is null)
                {
                    existing = new Waiter(txn, resource, mode);
                    _waiting[txn] = existing;
                    if (!_queues.TryGetValue(resource, out var queue))
                    {
                        queue = new();
                        _queues[resource] = queue;
                    }
                    queue.Add(existing);
                }
                waiter = existing;
                if (ClosesCycle(txn))
                {
                    StopWaiting(txn);
                    throw new DeadlockException(resource);
                }
                if (interrupt is { Requested: true })
                {
                    StopWaiting(txn);
                    interrupt.Throw();
                }
                if (timeout != Timeout.InfiniteTimeSpan && clock.Elapsed >= timeout)
                {
                    StopWaiting(txn);
                    throw new LockTimeoutException(resource, clock.Elapsed);
                }
                waiter.Woken = false;
            }
            var pause = timeout == Timeout.InfiniteTimeSpan ? 100 : (int)Math.Clamp((timeout - clock.Elapsed).TotalMilliseconds + 1, 1, 100);
            lock (waiter)
            {
                if (!waiter.Woken)
                {
                    Monitor.Wait(waiter, pause);
                }
            }
        }
    }

    private void Grant(Transaction txn, string resource, LockMode mode)
    {
        if (!_holders.TryGetValue(resource, out var holders))
        {
            holders = new();
            _holders[resource] = holders;
        }
        if (!holders.TryGetValue(txn, out LockMode current))
        {
            if (!_held.TryGetValue(txn, out var list))
            {
                list = new();
                _held[txn] = list;
            }
            list.Add(resource);
            holders[txn] = mode;
        }
        else if (mode > current)
        {
            holders[txn] = mode;
        }
    }

    /// <summary>Removes the transaction's wait, if any, from the wait-for graph and its resource's queue.</summary>
    private void StopWaiting(Transaction txn)
    {
        if (_waiting.Remove(txn, out Waiter? waiter) && _queues.TryGetValue(waiter.Resource, out var queue))
        {
            queue.Remove(waiter);
            if (queue.Count == 0)
            {
                _queues.Remove(waiter.Resource);
            }
        }
    }

    /// <summary>
    /// Wakes the waiters of <paramref name="resource"/> that could be granted now: the first grantable one
    /// in arrival order and, when it asks for S, every other grantable S waiter (caller holds the gate).
    /// </summary>
    private void WakeWaiters(string resource)
    {
        if (!_queues.TryGetValue(resource, out var queue))
        {
            return;
        }
        bool wokeExclusive = false, wokeShared = false;
        foreach (Waiter w in queue)
        {
            if (wokeExclusive || (wokeShared && w.Mode == LockMode.Exclusive) || !CanGrant(w.Txn, resource, w.Mode))
            {
                continue;
            }
            lock (w)
            {
                w.Woken = true;
                Monitor.Pulse(w);
            }
            wokeExclusive |= w.Mode == LockMode.Exclusive;
            wokeShared |= w.Mode == LockMode.Shared;
        }
    }

    public void Release(Transaction txn, string resource)
    {
        lock (_gate)
        {
            if (_holders.TryGetValue(resource, out var holders) && holders.Remove(txn))
            {
                _held[txn].Remove(resource);
                if (holders.Count == 0)
                {
                    _holders.Remove(resource);
                }
                WakeWaiters(resource);
            }
        }
    }

    /// <summary>Releases every lock of <paramref name="txn"/> (commit or rollback).</summary>
    public void ReleaseAll(Transaction txn)
    {
        lock (_gate)
        {
            StopWaiting(txn);
            if (_held.Remove(txn, out var list))
            {
                foreach (string resource in list)
                {
                    if (_holders.TryGetValue(resource, out var holders))
                    {
                        holders.Remove(txn);
                        if (holders.Count == 0)
                        {
                            _holders.Remove(resource);
                        }
                    }
                    WakeWaiters(resource);
                }
            }
        }
    }

    /// <summary>The mode <paramref name="txn"/> holds on <paramref name="resource"/>, or null (for tests and assertions).</summary>
    public LockMode? HeldMode(Transaction txn, string resource)
    {
        lock (_gate)
        {
            return _holders.TryGetValue(resource, out var h) && h.TryGetValue(txn, out LockMode m) ? m : null;
        }
    }

    private bool CanGrant(Transaction txn, string resource, LockMode mode)
    {
        if (!_holders.TryGetValue(resource, out var holders))
        {
            return true;
        }
        foreach ((Transaction other, LockMode held) in holders)
        {
            if (other != txn && (mode == LockMode.Exclusive || held == LockMode.Exclusive))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>LK4: depth-first search of the wait-for graph from <paramref name="start"/> back to itself.</summary>
    private bool ClosesCycle(Transaction start)
    {
        var visited = new HashSet<Transaction>();
        var stack = new Stack<Transaction>();
        stack.Push(start);
        while (stack.Count > 0)
        {
            Transaction t = stack.Pop();
            if (!_waiting.TryGetValue(t, out var wait) || !_holders.TryGetValue(wait.Resource, out var holders))
            {
                continue;
            }
            foreach ((Transaction holder, LockMode held) in holders)
            {
                if (holder == t || (wait.Mode == LockMode.Shared && held == LockMode.Shared))
                {
                    continue;
                }
                if (holder == start)
                {
                    return true;
                }
                if (visited.Add(holder))
                {
                    stack.Push(holder);
                }
            }
        }
        return false;
    }
}

internal enum LockMode
{
    Shared = 0,
    Exclusive = 1,
}

/// <summary>The requester of a wait that would close a wait-for cycle (LK4).</summary>
internal sealed class DeadlockException(string resource) : Exception($"deadlock waiting for {resource}")
{
    public string Resource { get; } = resource;
}

/// <summary>A lock wait that lasted its whole lock timeout.</summary>
internal sealed class LockTimeoutException(string resource, TimeSpan waited) : Exception($"lock wait for {resource} timed out")
{
    public string Resource { get; } = resource;
    public TimeSpan Waited { get; } = waited;
}
