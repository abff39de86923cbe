namespace Foundry.Engine;

/// <summary>
/// One transaction of a session. States and transitions:
///
/// | state    | meaning                                                   | leaves by                                   |
/// |----------|-----------------------------------------------------------|---------------------------------------------|
/// | reading  | holds only shared locks; changed no page                  | first write statement -> writing (takes the writer lock) |
/// | writing  | holds the writer lock: the pager's active transaction is this one | Session commit / rollback -> ended |
/// | ended    | every lock released                                       | —                                           |
///
/// Autocommit transactions span one statement (for a query: until its rows are read or disposed);
/// explicit ones run from BEGIN to COMMIT or ROLLBACK.
/// </summary>
internal sealed class Transaction
{
    private static long s_lastId;

    public Transaction(bool isExplicit)
    {
        Id = Interlocked.Increment(ref s_lastId);
        IsExplicit = isExplicit;
    }

    public long Id { get; }

    public bool IsExplicit { get; }

    /// <summary>True once the transaction holds the writer lock and may change pages.</summary>
    public bool IsWriter { get; set; }

    public bool Ended { get; set; }

    public override string ToString() => $"transaction {Id}";
}
