using Foundry.Storage;

namespace Foundry.Runtime;

/// <summary>
/// The memory budget of one statement's operator state (sort buffers, hash aggregation and hash join
/// tables) and the spill space those operators write to beyond it. Operators report the bytes their
/// live rows take (<see cref="Reserve"/>, <see cref="Release"/>, estimated: see
/// <see cref="ColumnBuffer.FixedRowBytes"/>) and spill when the statement's total exceeds the budget.
///
/// Invariants:
/// - OM1 <see cref="UsedBytes"/> is the sum of what the live operators reserved and never negative.
/// - OM2 an operator keeps at least one row (or group) in memory, so every spill makes progress
///   whatever the budget; a budget of 1 byte spills after every row.
/// - OM3 every spill file is created in <see cref="Spill"/> and is gone after <see cref="Dispose"/>,
///   which the statement's <see cref="QueryState"/> calls when it ends (also on error or cancel).
/// </summary>
public sealed class OperatorMemory : IDisposable
{
    /// <summary>The budget when neither the database nor the session sets one: 16 MiB.</summary>
    public const long DefaultBudgetBytes = 16L << 20;

    private readonly string? _spillDirectory;
    private SpillSpace? _spill;
    private int _countdown = StatementInterrupt.PollInterval;

    public OperatorMemory(long budgetBytes = DefaultBudgetBytes, string? spillDirectory = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, 1);
        BudgetBytes = budgetBytes;
        _spillDirectory = spillDirectory;
    }

    public long BudgetBytes { get; }

    public long UsedBytes { get; private set; }

    /// <summary>The highest <see cref="UsedBytes"/> seen.</summary>
    public long PeakBytes { get; private set; }

    public bool OverBudget => UsedBytes > BudgetBytes;

    /// <summary>
    /// Whether an operator holding `ownBytes` should spill now: the statement is over its budget and the
    /// operator holds at least its minimum share (the smaller of the budget and 64 KiB), so that an
    /// operator is not made to spill row by row for memory another one holds (OM2).
    /// </summary>
    public bool ShouldSpill(long ownBytes) => UsedBytes > BudgetBytes && ownBytes >= Math.Min(BudgetBytes, 64L << 10);

    /// <summary>
    /// The statement's stop request (cancel, statement timeout), polled by <see cref="RowProcessed"/>
    /// during merge and partition passes, which run inside one call of the statement's delegate.
    /// Set once by the <see cref="StatementContext"/> that owns this budget.
    /// </summary>
    public StatementInterrupt Interrupt { get; internal set; } = new();

    /// <summary>The statement's spill files, created on first use.</summary>
    public SpillSpace Spill => _spill ??= new SpillSpace(_spillDirectory);

    /// <summary>Bytes written to spill files by this statement so far.</summary>
    public long SpilledBytes => _spill?.BytesWritten ?? 0;

    /// <summary>Spill files created by this statement so far.</summary>
    public long SpillFiles => _spill?.FilesCreated ?? 0;

    public void Reserve(long bytes)
    {
        UsedBytes += bytes;
        if (UsedBytes > PeakBytes) PeakBytes = UsedBytes;
    }

    public void Release(long bytes) => UsedBytes = Math.Max(0, UsedBytes - bytes);

    /// <summary>For the long loops of spilling operators: runs the cancellation check now and then.</summary>
    public void RowProcessed() => Interrupt.Poll(ref _countdown);

    /// <summary>EXPLAIN ANALYZE's line: "Operator memory: peak 4.0 MiB of a 4.0 MiB budget, spilled 36.0 MiB in 17 files".</summary>
    public string Summary()
    {
        static string MiB(long bytes) =>
            bytes < 1024 ? $"{bytes} bytes"
            : bytes < 1 << 20 ? (bytes / 1024.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " KiB"
            : (bytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " MiB";
        var spilled = SpillFiles == 0 ? "nothing spilled" : $"spilled {MiB(SpilledBytes)} in {SpillFiles} temporary files";
        return $"Operator memory: peak {MiB(PeakBytes)} of a {MiB(BudgetBytes)} budget, {spilled}";
    }

    public void Dispose() => _spill?.Dispose();
}
