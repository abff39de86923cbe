namespace Foundry.Storage;

/// <summary>What <see cref="WalRecovery"/> did when a database was opened.</summary>
public sealed class RecoveryReport
{
    /// <summary>The report of an open that found nothing to recover.</summary>
    public static readonly RecoveryReport None = new();

    /// <summary>True when the log held records, so redo/undo ran.</summary>
    public bool Ran { get; init; }

    /// <summary>Valid log records read.</summary>
    public int RecordsScanned { get; init; }

    /// <summary>Bytes after the last valid record (a torn or garbage tail), cut off.</summary>
    public long TailBytesDiscarded { get; init; }

    /// <summary>Transactions with a Commit record in the log.</summary>
    public int CommittedTransactions { get; init; }

    /// <summary>Transactions without Commit or Abort: their changes were undone.</summary>
    public int UndoneTransactions { get; init; }

    /// <summary>Redo page images written.</summary>
    public int PagesRedone { get; init; }

    /// <summary>Undo page images written.</summary>
    public int PagesUndone { get; init; }

    public TimeSpan Elapsed { get; init; }

    public override string ToString() => Ran
        ? $"recovery: redid {PagesRedone} page image(s) from {RecordsScanned} log record(s) ({CommittedTransactions} committed transaction(s)), undid {PagesUndone} page image(s) of {UndoneTransactions} unfinished transaction(s), discarded {TailBytesDiscarded} byte(s) of log tail in {Elapsed.TotalMilliseconds:F0} ms"
        : "recovery: nothing to do";
}
