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

    /// <summary>Stream bytes of an unfinished write after the last whole record (a torn tail, RF4), cut off.</summary>
    public long TailBytesDiscarded { get; init; }

    /// <summary>File offset of the log where the cut-off tail started.</summary>
    public long TailOffset { get; init; }

    /// <summary>Transactions with a Commit record in the log.</summary>
    public int CommittedTransactions { get; init; }

    /// <summary>Transactions without Commit or Abort: their changes were undone.</summary>
    public int UndoneTransactions { get; init; }

    /// <summary>Redo page images written.</summary>
    public int PagesRedone { get; init; }

    /// <summary>Undo page images written.</summary>
    public int PagesUndone { get; init; }

    /// <summary>
    /// Set only when the log was damaged and the open accepted the loss (<see cref="PagerOptions.AcceptLogLoss"/>):
    /// what was dropped. Null in every other open (a damaged log is refused instead).
    /// </summary>
    public WalDamage? Loss { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>True when the report says something a user should see: recovery ran, a tail was cut or a loss accepted.</summary>
    public bool IsNotable => Ran || TailBytesDiscarded > 0 || Loss is not null;

    public override string ToString()
    {
        string tail = TailBytesDiscarded > 0
            ? $", cut off a torn tail of {TailBytesDiscarded} byte(s) of an unfinished write at log offset {TailOffset}"
            : "";
        string loss = Loss is { } l ? $"; LOSS ACCEPTED: {l.Describe()}; recovery {l.DescribeLoss()}" : "";
        if (!Ran)
        {
            return TailBytesDiscarded > 0 || Loss is not null ? $"recovery: no records to replay{tail}{loss}" : "recovery: nothing to do";
        }
        return $"recovery: redid {PagesRedone} page image(s) from {RecordsScanned} log record(s) ({CommittedTransactions} committed transaction(s)), " +
            $"undid {PagesUndone} page image(s) of {UndoneTransactions} unfinished transaction(s){tail} in {Elapsed.TotalMilliseconds:F0} ms{loss}";
    }
}
