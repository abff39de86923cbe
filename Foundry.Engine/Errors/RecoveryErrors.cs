namespace Foundry.Engine;

/// <summary>Message catalogue of the recovery errors (FND511x); storage errors without their own code are FND5100.</summary>
internal static class RecoveryErrors
{
    /// <summary>The write-ahead log cannot be trusted (damaged, of another database, or missing synced data): the database was not opened.</summary>
    public const string WalRefused = "FND5110";
}
