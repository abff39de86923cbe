namespace Foundry.Engine;

/// <summary>Codes of the storage errors users see (FND51xx); the messages come from Foundry.Storage and name the file.</summary>
internal static class StorageErrors
{
    /// <summary>A storage failure with its context: a corrupt page, a truncated file, an I/O error.</summary>
    public const string Storage = "FND5100";

    /// <summary>The device or quota is full (ENOSPC/EDQUOT); the statement changed nothing.</summary>
    public const string DiskFull = "FND5110";

    /// <summary>The log failed (WAL6): every statement of every session answers this until the database is reopened.</summary>
    public const string MustReopen = "FND5111";

    /// <summary>The write-ahead log cannot be trusted (damaged, of another database, or missing synced data): the database was not opened.</summary>
    public const string WalRefused = "FND5120";
}
