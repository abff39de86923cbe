namespace Foundry.Engine;

/// <summary>Message catalogue of the transaction errors (FND53xx).</summary>
internal static class TransactionErrors
{
    public const string Deadlock = "FND5301";
    public const string AlreadyInTransaction = "FND5302";
    public const string CheckpointInTransaction = "FND5303";
    public const string ResultOpen = "FND5310";

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
}
