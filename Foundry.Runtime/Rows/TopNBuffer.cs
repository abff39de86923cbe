namespace Foundry.Runtime;

/// <summary>
/// ORDER BY ... LIMIT k without sorting every row: keeps the k best rows seen so far in a max-heap
/// (the worst kept row on top), in a <see cref="ColumnBuffer"/> of k + 1 rows. Generated code writes
/// each candidate into the slot <see cref="NextSlot"/> gives and calls <see cref="Offer"/>; a candidate
/// better than the worst kept row takes its place, and the freed slot takes the next candidate.
/// Ties go to the row that arrived first, as a stable sort would order them. Memory is O(k).
/// </summary>
public sealed class TopNBuffer
{
    private readonly int _capacity;
    private readonly Func<ColumnBuffer, int, int, int> _compare;
    private readonly List<int> _heap = [];
    private readonly List<long> _arrival = [];
    private int _scratch = -1;
    private long _arrivals;

    /// <summary>
    /// The kept row that sorts last once k rows are kept, else -1. A candidate that sorts strictly after
    /// it cannot enter; generated code tests that on the first sort key before it copies the candidate.
    /// </summary>
    public int Worst = -1;

    public TopNBuffer(int width, long capacity, Func<ColumnBuffer, int, int, int> compare)
    {
        _capacity = (int)Math.Min(capacity, int.MaxValue - 1);
        _compare = compare;
        Rows = new ColumnBuffer(width);
    }

    public ColumnBuffer Rows { get; }

    /// <summary>The buffer row the next candidate is written to.</summary>
    public int NextSlot()
    {
        if (_heap.Count < _capacity) return AddSlot();
        if (_scratch < 0) _scratch = AddSlot();
        return _scratch;
    }

    public void Offer(int slot)
    {
        _arrival[slot] = _arrivals++;
        if (_heap.Count < _capacity)
        {
            _heap.Add(slot);
            SiftUp(_heap.Count - 1);
        }
        else if (_capacity > 0 && Compare(slot, _heap[0]) < 0)
        {
            _scratch = _heap[0];
            _heap[0] = slot;
            SiftDown(0);
        }
        if (_heap.Count == _capacity && _capacity > 0) Worst = _heap[0];
    }

    /// <summary>Puts the kept rows in output order.</summary>
    public void Finish()
    {
        var order = _heap.ToArray();
        Array.Sort(order, Compare);
        Rows.SetOrder(order);
    }

    private int AddSlot()
    {
        var slot = Rows.AddRow();
        while (_arrival.Count <= slot) _arrival.Add(0);
        return slot;
    }

    /// <summary>Sort order, ties broken by arrival (earlier first).</summary>
    private int Compare(int a, int b)
    {
        var c = _compare(Rows, a, b);
        return c != 0 ? c : _arrival[a].CompareTo(_arrival[b]);
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (Compare(_heap[i], _heap[parent]) <= 0) return;
            (_heap[i], _heap[parent]) = (_heap[parent], _heap[i]);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var largest = i;
            var left = 2 * i + 1;
            var right = left + 1;
            if (left < _heap.Count && Compare(_heap[left], _heap[largest]) > 0) largest = left;
            if (right < _heap.Count && Compare(_heap[right], _heap[largest]) > 0) largest = right;
            if (largest == i) return;
            (_heap[i], _heap[largest]) = (_heap[largest], _heap[i]);
            i = largest;
        }
    }
}
