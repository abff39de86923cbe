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
