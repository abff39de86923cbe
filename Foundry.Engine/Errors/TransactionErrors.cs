namespace Foundry.Engine;

/// <summary>Message catalogue of the transaction errors (FND53xx).</summary>
internal static class TransactionErrors
{
    public const string Deadlock = "FND5301";
    public const string AlreadyInTransaction = "FND5302";
    public const string CheckpointInTransaction = "FND5303";
    public const string ResultOpen = "FND5310";

    /// <summary>A lock wait that gave up (numbered after PostgreSQL's SQLSTATE 55P03, lock_not_available).</summary>
    public const string LockTimeout = "FND5503";

    public static FoundryException Make(string code, string message, string sql) =>
        new(code, message, sql, null, null, null, $"error {code}: {message}");

    public static FoundryException DeadlockVictim(string sql, string resource) => Make(Deadlock,
        $"deadlock detected: this transaction waited for {resource}, held by a transaction that in turn waits for this one; this transaction was rolled back, retry it",
        sql);

    public static FoundryException NestedBegin(string sql) => Make(AlreadyInTransaction,
        "a transaction is already in progress: COMMIT or ROLLBACK it before BEGIN", sql);

    public static FoundryException CheckpointInside(string sql) => Make(CheckpointInTransaction,
        "CHECKPOINT cannot run inside a transaction: COMMIT or ROLLBACK first", sql);

    public static FoundryException ResultStillOpen(string sql, string openKind) => Make(ResultOpen,
        $"this session's earlier {openKind} result is still open: read it to the end or dispose it before running another statement (a session runs one statement at a time; open another session to run statements side by side)",
        sql);

    public static FoundryException LockWaitTimedOut(string sql, string resource, TimeSpan waited) => Make(LockTimeout,
        $"canceling statement due to lock timeout: waited {waited.TotalMilliseconds:0} ms for {Describe(resource)}, held by another transaction "
        + "(an unfinished result or an open transaction); retry, or raise Session.LockTimeout",
        sql);

    private static string Describe(string resource) => resource switch
    {
        "writer" => "the writer lock (another transaction is changing the database)",
        "catalog" => "the catalog (a schema change is in progress)",
        _ when resource.StartsWith("table:", StringComparison.Ordinal) => $"table \"{resource["table:".Length..]}\"",
        _ => resource,
    };
}
