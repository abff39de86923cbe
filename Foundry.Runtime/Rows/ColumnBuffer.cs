namespace Foundry.Runtime;

/// <summary>
/// Rows materialised at a pipeline breaker (a sort), stored column by column in typed arrays so that
/// no value is boxed. Generated code appends a row with <see cref="AddRow"/> followed by one Set call
/// per column, and reads rows back by index (through <see cref="Order"/> once sorted). A buffer made
/// with its <see cref="ColumnKind"/>s allocates only the value array each column uses and can spill
/// its rows (ColumnBuffer.Spill.cs); one made with a width keeps every array for every column.
/// </summary>
public sealed partial class ColumnBuffer
{
    private readonly long[][] _int64s;
    private readonly double[][] _doubles;
    private readonly object?[][] _references;
    private readonly bool[][] _nulls;
    private int _capacity = 64;

    public ColumnBuffer(int width)
    {
        _int64s = new long[width][];
        _doubles = new double[width][];
        _references = new object?[width][];
        _nulls = new bool[width][];
        for (var c = 0; c < width; c++)
        {
            _int64s[c] = new long[_capacity];
            _doubles[c] = new double[_capacity];
            _references[c] = new object?[_capacity];
            _nulls[c] = new bool[_capacity];
        }
        Order = [];
    }

    public ColumnBuffer(ColumnKind[] kinds)
    {
        Kinds = kinds;
        var width = kinds.Length;
        _int64s = new long[width][];
        _doubles = new double[width][];
        _references = new object?[width][];
        _nulls = new bool[width][];
        for (var c = 0; c < width; c++)
        {
            switch (kinds[c])
            {
                case ColumnKind.Int64: _int64s[c] = new long[_capacity]; break;
                case ColumnKind.Double: _doubles[c] = new double[_capacity]; break;
                default: _references[c] = new object?[_capacity]; break;
            }
            _nulls[c] = new bool[_capacity];
        }
        Order = [];
    }

    /// <summary>The columns' kinds, or null for a buffer made with a width only.</summary>
    public ColumnKind[]? Kinds { get; }

    public int Count { get; private set; }

    /// <summary>Row indexes in output order; set by <see cref="Sort"/>.</summary>
    public int[] Order { get; private set; }

    /// <summary>Starts a new row and returns its index.</summary>
    public int AddRow()
    {
        if (Count == _capacity) Grow();
        return Count++;
    }

    public void SetInt64(int column, int row, long value) => _int64s[column][row] = value;
    public void SetDouble(int column, int row, double value) => _doubles[column][row] = value;
    public void SetReference(int column, int row, object? value) => _references[column][row] = value;
    public void SetNull(int column, int row) => _nulls[column][row] = true;
    public void SetNull(int column, int row, bool isNull) => _nulls[column][row] = isNull;

    public long GetInt64(int column, int row) => _int64s[column][row];
    public double GetDouble(int column, int row) => _doubles[column][row];
    public object? GetReference(int column, int row) => _references[column][row];
    public bool IsNull(int column, int row) => _nulls[column][row];

    /// <summary>
    /// Orders the rows with a comparison of row indexes; stable, so equal keys keep input order. Polls
    /// <paramref name="interrupt"/> between comparisons, so a long sort can be cancelled.
    /// </summary>
    public void Sort(Func<ColumnBuffer, int, int, int> compare, StatementInterrupt interrupt)
    {
        var order = new int[Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var countdown = StatementInterrupt.PollInterval;
        // Array.Sort is not stable; break ties by original position to make it so.
        try
        {
            Array.Sort(order, (a, b) =>
            {
                interrupt.Poll(ref countdown);
                var c = compare(this, a, b);
                return c != 0 ? c : a.CompareTo(b);
            });
        }
        catch (InvalidOperationException e) when (e.InnerException is FoundryRuntimeException stopped)
        {
            // Array.Sort wraps what a comparison throws; the statement's error is the cancel itself.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(stopped);
        }
        Order = order;
    }

    /// <summary>Sets the output order to the given rows (a Top-N keeps only some).</summary>
    public void SetOrder(int[] order) => Order = order;

    /// <summary>Output order = insertion order (a materialisation without sorting).</summary>
    public void KeepOrder()
    {
        var order = new int[Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Order = order;
    }

    /// <summary>
    /// Forgets every row but keeps the arrays for reuse, zeroed, so that a row added afterwards starts
    /// with every column zero and not NULL as a new one does (and no reference outlives its row).
    /// </summary>
    public void Clear()
    {
        for (var c = 0; c < _nulls.Length; c++)
        {
            if (_int64s[c] is { } int64s) Array.Clear(int64s, 0, Count);
            if (_doubles[c] is { } doubles) Array.Clear(doubles, 0, Count);
            if (_references[c] is { } references) Array.Clear(references, 0, Count);
            Array.Clear(_nulls[c], 0, Count);
        }
        Count = 0;
        Order = [];
    }

    private void Grow()
    {
        _capacity *= 2;
        for (var c = 0; c < _int64s.Length; c++)
        {
            if (_int64s[c] is not null) Array.Resize(ref _int64s[c], _capacity);
            if (_doubles[c] is not null) Array.Resize(ref _doubles[c], _capacity);
            if (_references[c] is not null) Array.Resize(ref _references[c], _capacity);
            Array.Resize(ref _nulls[c], _capacity);
        }
    }
}
