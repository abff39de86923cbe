namespace Foundry.Storage;

/// <summary>
/// Sorts (key, value) byte-array pairs by key (ordinal byte order, the order of <see cref="KeyWriter"/>
/// encodings) within a memory budget: pairs are gathered until the budget is reached, sorted, and
/// written to a temporary run file; <see cref="Sorted"/> then merges the runs (or, when everything fit,
/// returns the one in-memory run without touching disk). Used to build indexes with
/// <see cref="BTree.BulkLoad"/> without holding a whole table's entries in memory.
///
/// Run file: records of 7-bit-encoded key length, value length, key bytes, value bytes. Run files are
/// opened delete-on-close, so a crash leaves nothing behind. Equal keys come out in the order they were
/// added (a stable merge: ties go to the earlier run, and each run is stably sorted).
/// </summary>
public sealed class ExternalSorter : IDisposable
{
    /// <summary>Bytes of bookkeeping counted per pair on top of its key and value (two arrays and a list slot).</summary>
    private const int PairOverheadBytes = 64;

    private readonly long _budgetBytes;
    private readonly string _directory;
    private readonly List<(byte[] Key, byte[] Value)> _pending = new();
    private readonly List<(FileStream File, long Count)> _runs = new();
    private long _pendingBytes;
    private bool _consumed;

    public ExternalSorter(long budgetBytes, string? directory = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, 1);
        _budgetBytes = budgetBytes;
        _directory = directory ?? Path.GetTempPath();
    }

    /// <summary>Pairs added so far.</summary>
    public long Count { get; private set; }

    /// <summary>Runs spilled to disk so far (0 when everything fit in the budget).</summary>
    public int SpilledRuns => _runs.Count;

    public void Add(byte[] key, byte[] value)
    {
        if (_consumed)
        {
            throw new InvalidOperationException("the sorter's output was already read");
        }
        _pending.Add((key, value));
        _pendingBytes += key.Length + value.Length + PairOverheadBytes;
        Count++;
        if (_pendingBytes >= _budgetBytes)
        {
            Spill();
        }
    }

    /// <summary>Every pair added, in key order. Can be enumerated once.</summary>
    public IEnumerable<(byte[] Key, byte[] Value)> Sorted()
    {
        if (_consumed)
        {
            throw new InvalidOperationException("the sorter's output can be read only once");
        }
        _consumed = true;
        SortPending();
        if (_runs.Count == 0)
        {
            return _pending;
        }
        if (_pending.Count > 0)
        {
            Spill();
        }
        return Merge();
    }

    private void SortPending()
    {
        // List.Sort is not stable; sorting indexes keeps equal keys in insertion order.
        var order = new int[_pending.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        var pending = _pending;
        Array.Sort(order, (a, b) =>
        {
            int c = pending[a].Key.AsSpan().SequenceCompareTo(pending[b].Key);
            return c != 0 ? c : a.CompareTo(b);
        });
        var sorted = new (byte[] Key, byte[] Value)[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            sorted[i] = pending[order[i]];
        }
        _pending.Clear();
        _pending.AddRange(sorted);
    }

    private void Spill()
    {
        SortPending();
        string path = Path.Combine(_directory, $"foundry-sort-{Guid.NewGuid():N}.run");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        var writer = new BinaryWriter(file);
        foreach ((byte[] key, byte[] value) in _pending)
        {
            writer.Write7BitEncodedInt(key.Length);
            writer.Write7BitEncodedInt(value.Length);
            writer.Write(key);
            writer.Write(value);
        }
        writer.Flush();
        file.Position = 0;
        _runs.Add((file, _pending.Count));
        _pending.Clear();
        _pendingBytes = 0;
    }

    private IEnumerable<(byte[] Key, byte[] Value)> Merge()
    {
        var readers = _runs.Select(r => new BinaryReader(r.File)).ToArray();
        var left = _runs.Select(r => r.Count).ToArray();
        var heads = new PriorityQueue<int, (byte[] Key, int Run)>(Comparer<(byte[] Key, int Run)>.Create((a, b) =>
        {
            int c = a.Key.AsSpan().SequenceCompareTo(b.Key);
            return c != 0 ? c : a.Run.CompareTo(b.Run);
        }));
        var current = new (byte[] Key, byte[] Value)[readers.Length];
        for (int r = 0; r < readers.Length; r++)
        {
            if (TryRead(readers[r], ref left[r], out current[r]))
            {
                heads.Enqueue(r, (current[r].Key, r));
            }
        }
        while (heads.TryDequeue(out int run, out _))
        {
            yield return current[run];
            if (TryRead(readers[run], ref left[run], out current[run]))
            {
                heads.Enqueue(run, (current[run].Key, run));
            }
        }
    }

    private static bool TryRead(BinaryReader reader, ref long left, out (byte[] Key, byte[] Value) pair)
    {
        if (left == 0)
        {
            pair = default;
            return false;
        }
        left--;
        int keyLength = reader.Read7BitEncodedInt();
        int valueLength = reader.Read7BitEncodedInt();
        pair = (reader.ReadBytes(keyLength), reader.ReadBytes(valueLength));
        return true;
    }

    public void Dispose()
    {
        foreach ((FileStream run, _) in _runs)
        {
            run.Dispose();
        }
        _runs.Clear();
        _pending.Clear();
    }
}
