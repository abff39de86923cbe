namespace Foundry.Storage;

/// <summary>
/// Why recovery refused a log (RF1–RF3 in <see cref="WalScanner"/>), and what opening it anyway would drop:
/// everything of the log from <see cref="KeptEndLsn"/> on. Recovery with loss accepted replays the records
/// before that point and nothing after it.
/// </summary>
public sealed class WalDamage
{
    public required string LogPath { get; init; }

    /// <summary>File offset of the damage (a header field, a sector, or the gap before a synced sector).</summary>
    public required long Offset { get; init; }

    /// <summary>What is wrong there, with expected versus found values.</summary>
    public required string Reason { get; init; }

    /// <summary>LSN where the part of the log that can be trusted ends (the log's base LSN when none of it can).</summary>
    public long KeptEndLsn { get; init; }

    /// <summary>File offsets [from, to) of this log's data that would be dropped.</summary>
    public long DroppedFromOffset { get; init; }

    public long DroppedToOffset { get; init; }

    /// <summary>LSN range [from, to) that would be dropped, as far as the readable sectors tell.</summary>
    public long DroppedFromLsn { get; init; }

    public long DroppedToLsn { get; init; }

    /// <summary>Commit records found in the readable sectors of the dropped range: committed transactions that cannot be replayed.</summary>
    public int DroppedCommits { get; init; }

    /// <summary>One line: where, what, and what would be lost.</summary>
    public string Describe() =>
        $"write-ahead log '{LogPath}' is damaged at offset {Offset}: {Reason}";

    /// <summary>What recovery with loss accepted drops, for the report of `foundry recover`.</summary>
    public string DescribeLoss() =>
        $"drops log bytes at file offsets [{DroppedFromOffset}, {DroppedToOffset}) (LSN {DroppedFromLsn} to {DroppedToLsn}), " +
        $"holding {DroppedCommits} commit record(s) of transactions that cannot be replayed";
}
