using Foundry.Storage;

namespace Foundry.Runtime;

/// <summary>
/// ORDER BY's state: an external merge sort within the statement's <see cref="OperatorMemory"/>.
/// Generated code appends each input row (<see cref="AddRow"/>, then Set calls on <see cref="Rows"/>),
/// calls <see cref="Finish"/>, then reads the output with <see cref="MoveNext"/>, taking each row's
/// values from row <see cref="CurrentRow"/> of <see cref="Current"/>.
///
/// While the input fits, rows stay in <see cref="Rows"/> and are sorted there (the in-memory path does
/// no more than the plain buffer did). When the statement goes over its budget, the rows gathered so
/// far are sorted and written to a run file and the buffer is reused. At the end, runs are merged
/// <see cref="FanIn"/> at a time into longer runs until at most that many remain, and the last merge
/// streams: a heads buffer holds the next row of each run, and a heap of run numbers ordered by those
/// rows gives the next output row.
///
/// Stable, like the in-memory sort: each run is stably sorted, runs are numbered in input order, and
/// ties between runs go to the lower number (also in intermediate merges, which merge adjacent runs).
/// </summary>
public sealed class SortBuffer : IDisposable
{
    /// <summary>Runs merged at once; each holds a spill file and its 16 KiB buffer open.</summary>
    public const int FanIn = 32;

    private readonly Func<ColumnBuffer, int, int, int> _compare;
    private readonly OperatorMemory _memory;
    private readonly List<SpillFile> _runs = new();
    private long _reservedBytes;
    private int _accountedRows;
    private int _position = -1;
    private Merge? _merge;

    public SortBuffer(ColumnKind[] kinds, Func<ColumnBuffer, int, int, int> compare, OperatorMemory memory)
    {
        _compare = compare;
        _memory = memory;
        Rows = new ColumnBuffer(kinds);
        Current = Rows;
    }

    /// <summary>The rows being gathered (input side).</summary>
    public ColumnBuffer Rows { get; }

    /// <summary>Run files written so far (0 when everything fit).</summary>
    public int SpilledRuns { get; private set; }

    /// <summary>The buffer holding the current output row.</summary>
    public ColumnBuffer Current { get; private set; }

    /// <summary>The current output row's index in <see cref="Current"/>.</summary>
    public int CurrentRow { get; private set; }

    /// <summary>Starts an input row, first writing a run when the statement is over its budget.</summary>
    public int AddRow()
    {
        AccountRows();
        if (_memory.ShouldSpill(_reservedBytes)) WriteRun();
        return Rows.AddRow();
    }

    public void Finish()
    {
        AccountRows();
        if (_runs.Count == 0)
        {
            Rows.Sort(_compare, _memory.Interrupt);
            return;
        }
        if (Rows.Count > 0) WriteRun();
        while (_runs.Count > FanIn) MergePass();
        _merge = new Merge(this, _runs);
    }

    public bool MoveNext()
    {
        if (_merge is null)
        {
            if (++_position >= Rows.Order.Length) return false;
            CurrentRow = Rows.Order[_position];
            return true;
        }
        if (!_merge.MoveNext())
        {
            ReleaseRuns();
            return false;
        }
        Current = _merge.Heads;
        CurrentRow = _merge.Current;
        return true;
    }

    public void Dispose()
    {
        ReleaseRuns();
        _memory.Release(_reservedBytes);
        _reservedBytes = 0;
    }

    private void AccountRows()
    {
        long bytes = 0;
        for (; _accountedRows < Rows.Count; _accountedRows++) bytes += Rows.RowBytes(_accountedRows);
        _reservedBytes += bytes;
        _memory.Reserve(bytes);
    }

    /// <summary>Sorts the gathered rows into a new run file and empties the buffer.</summary>
    private void WriteRun()
    {
        Rows.Sort(_compare, _memory.Interrupt);
        var run = _memory.Spill.Create();
        foreach (var row in Rows.Order)
        {
            Rows.WriteRow(run.Writer, row);
            run.RecordWritten();
            _memory.RowProcessed();
        }
        run.StartReading();
        _runs.Add(run);
        SpilledRuns++;
        Rows.Clear();
        _accountedRows = 0;
        _memory.Release(_reservedBytes);
        _reservedBytes = 0;
    }

    /// <summary>Merges each group of FanIn adjacent runs into one run, in order.</summary>
    private void MergePass()
    {
        var merged = new List<SpillFile>();
        for (var first = 0; first < _runs.Count; first += FanIn)
        {
            var group = _runs.GetRange(first, Math.Min(FanIn, _runs.Count - first));
            var output = _memory.Spill.Create();
            var merge = new Merge(this, group);
            while (merge.MoveNext())
            {
                merge.Heads.WriteRow(output.Writer, merge.Current);
                output.RecordWritten();
                _memory.RowProcessed();
            }
            foreach (var run in group) run.Dispose();
            output.StartReading();
            merged.Add(output);
        }
        _runs.Clear();
        _runs.AddRange(merged);
    }

    private void ReleaseRuns()
    {
        foreach (var run in _runs) run.Dispose();
        _runs.Clear();
    }

    /// <summary>A k-way merge of sorted runs: head row r of <see cref="Heads"/> is run r's next row.</summary>
    private sealed class Merge
    {
        private readonly IReadOnlyList<SpillFile> _runs;
        private readonly long[] _left;
        private readonly PriorityQueue<int, int> _heap;
        private readonly OperatorMemory _memory;

        public Merge(SortBuffer sort, IReadOnlyList<SpillFile> runs)
        {
            _runs = runs;
            _memory = sort._memory;
            Heads = new ColumnBuffer(sort.Rows.Kinds!);
            _left = new long[runs.Count];
            var compare = sort._compare;
            var heads = Heads;
            _heap = new PriorityQueue<int, int>(runs.Count, Comparer<int>.Create((a, b) =>
            {
                var c = compare(heads, a, b);
                return c != 0 ? c : a.CompareTo(b);
            }));
            for (var r = 0; r < runs.Count; r++)
            {
                Heads.AddRow();
                runs[r].StartReading();
                _left[r] = runs[r].Records;
                if (ReadHead(r)) _heap.Enqueue(r, r);
            }
        }

        public ColumnBuffer Heads { get; }

        /// <summary>The run whose head is the current row, or -1 before the first MoveNext.</summary>
        public int Current { get; private set; } = -1;

        public bool MoveNext()
        {
            if (Current >= 0 && ReadHead(Current)) _heap.Enqueue(Current, Current);
            if (!_heap.TryDequeue(out var run, out _)) return false;
            Current = run;
            return true;
        }

        private bool ReadHead(int run)
        {
            if (_left[run] == 0) return false;
            _left[run]--;
            Heads.ReadRow(_runs[run].Reader, run);
            _memory.RowProcessed();
            return true;
        }
    }
}
