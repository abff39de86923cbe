namespace Foundry.Storage;

/// <summary>
/// A storage-level failure. Messages carry context a reader can act on: the file, the page id,
/// the offset, and expected versus found values.
/// </summary>
public class StorageException : Exception
{
    public StorageException(string message) : base(message) { }

    public StorageException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>A page whose stored checksum does not match its contents (torn write or corruption).</summary>
public sealed class CorruptPageException : StorageException
{
    public CorruptPageException(uint pageId, uint expectedChecksum, uint foundChecksum, string path)
        : base($"page {pageId} of '{path}' is corrupt: checksum mismatch (stored 0x{expectedChecksum:X8}, computed 0x{foundChecksum:X8}); the file was damaged or a write was torn")
    {
        PageId = pageId;
        ExpectedChecksum = expectedChecksum;
        FoundChecksum = foundChecksum;
    }

    public uint PageId { get; }

    /// <summary>The checksum stored in the page header.</summary>
    public uint ExpectedChecksum { get; }

    /// <summary>The checksum computed over the bytes read.</summary>
    public uint FoundChecksum { get; }
}

/// <summary>
/// A write, resize or fsync failed because the device or the user's quota is full (ENOSPC or EDQUOT on
/// Unix, ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL on Windows). The operation did not happen; whether
/// the database goes on depends on which file it was (see docs/storage.md, "Disk full").
/// </summary>
public sealed class DiskFullException : StorageException
{
    public DiskFullException(string path, string operation, IOException cause)
        : base($"disk full: could not {operation} '{path}': {cause.Message}; free some space", cause)
    {
        Path = path;
    }

    public string Path { get; }
}

/// <summary>
/// The log cannot be trusted after a failed write or fsync (WAL6): nothing more can be committed or
/// written back until the database is closed and opened again, when recovery reads what the log file
/// really holds. <see cref="Exception.InnerException"/> is the first failure.
/// </summary>
public sealed class LogFailedException : StorageException
{
    public LogFailedException(string logPath, Exception failure)
        : base($"the database must be reopened: a write to its log '{logPath}' failed ({failure.Message}); close it and open it again, and recovery restores every acknowledged commit", failure)
    {
    }
}

/// <summary>
/// The write-ahead log cannot be trusted (RF1–RF3: a damaged header or sector, a log of another
/// database, or a synced part of the log after a gap): the database is not opened, so no committed
/// transaction is dropped silently. <see cref="Damage"/> says where and what opening with loss accepted
/// (<see cref="PagerOptions.AcceptLogLoss"/>) would drop.
/// </summary>
public sealed class WalRefusedException : StorageException
{
    public WalRefusedException(WalDamage damage)
        : base($"{damage.Describe()}; the database was not opened, so that no committed transaction is lost silently " +
            $"(opening it with the loss accepted {damage.DescribeLoss()})")
    {
        Damage = damage;
    }

    public WalDamage Damage { get; }
}
