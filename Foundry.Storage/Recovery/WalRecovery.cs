using System.Diagnostics;

namespace Foundry.Storage;

/// <summary>
/// Crash recovery, run by <see cref="Pager.Open"/> before the database file is used. With full-page
/// images there is no need for ARIES' page-LSN tests or logical undo; the three passes are:
///
///  1. Analysis: read the log (<see cref="WalScanner"/>: what it accepts, cuts as a torn tail, and
///     refuses). Transactions with a Commit or Abort record are finished; the rest are losers. The header
///     state starts as the one in the log's file header (the last checkpoint's) and takes the state of
///     every Commit/Abort in order.
///  2. Redo: write the Redo images of finished transactions to their pages, in log order (committed work,
///     and the stolen and compensation images of rolled-back ones). A torn page in the file is simply
///     overwritten. A RedoDelta record is applied to the page as the file now holds it: the pager writes
///     a delta only for a page that has a full image earlier in the log, which this pass wrote first.
///     A loser's Redo images are skipped: the pager logs a page's Undo image before any Redo image of
///     an active transaction that could reach the file (a steal), and lets commit-time images reach the
///     file only after the Commit record is durable, so a loser's changes are in the file only on pages
///     whose Undo image is in the log.
///  3. Undo: write the Undo images of losers in reverse log order; the last one written for a page is its
///     image from before the loser touched it. Writers run one at a time, so a loser is the last writer
///     and this is exactly the state after the last finished transaction.
///
/// Then page 0 is written from the header state and the file synced; the caller then empties the log.
/// Recovery writes only to the database file until that sync, and the log is untouched until after it,
/// so a crash at any point during recovery leaves the same log, and recovering again writes the same
/// bytes: recovery is idempotent (RC1). A log the scanner refuses (RF1–RF3) stops recovery before it
/// writes anything, with <see cref="WalRefusedException"/> (RC2), unless the loss is accepted: then the
/// trusted part before the damage is recovered and the report says what was dropped.
/// </summary>
public static class WalRecovery
{
    /// <summary>
    /// Recovers <paramref name="data"/> (page size <paramref name="pageSize"/>, database id
    /// <paramref name="databaseId"/>) from <paramref name="wal"/>; <paramref name="nextLsn"/> is the LSN to
    /// continue the log at. Throws <see cref="WalRefusedException"/> for a damaged log unless
    /// <paramref name="acceptLoss"/>.
    /// </summary>
    public static RecoveryReport Run(IStorageFile data, IStorageFile wal, ulong databaseId, int pageSize, bool acceptLoss, out long nextLsn)
    {
        var clock = Stopwatch.StartNew();
        WalScan scan = WalScanner.Scan(wal, databaseId, pageSize);
        if (scan.Damage is { } damage && !acceptLoss)
        {
            throw new WalRefusedException(damage);
        }
        if (scan.Header is not { } header || header.DatabaseId != databaseId || header.PageSize != pageSize)
        {
            // No log of this database (RF1), or one whose loss was accepted whole: continue past every LSN it used.
            nextLsn = Math.Max(1, scan.Damage?.DroppedToLsn + 1 ?? 1);
            return scan.Damage is null ? RecoveryReport.None : new RecoveryReport { Loss = scan.Damage, Elapsed = clock.Elapsed };
        }
        List<WalRecordInfo> records = scan.Records;
        nextLsn = Math.Max(scan.EndLsn, scan.Damage?.DroppedToLsn ?? 0);
        if (records.Count == 0)
        {
            return new RecoveryReport { TailBytesDiscarded = scan.TailBytes, TailOffset = scan.TailOffset, Loss = scan.Damage, Elapsed = clock.Elapsed };
        }
        FileHeaderPage.State state = header.State;
        var finished = new HashSet<ulong>();
        var committed = new HashSet<ulong>();
        var seen = new HashSet<ulong>();
        foreach (WalRecordInfo r in records)
        {
            seen.Add(r.TxnId);
            if (r.Type is WalRecordType.Commit or WalRecordType.Abort)
            {
                finished.Add(r.TxnId);
                if (r.Type == WalRecordType.Commit)
                {
                    committed.Add(r.TxnId);
                }
                state = WalFormat.ReadState(Read(wal, header, r));
            }
        }
        int redone = 0, undone = 0;
        var fullImages = new HashSet<uint>();
        var page = new byte[pageSize];
        foreach (WalRecordInfo r in records)
        {
            if (!finished.Contains(r.TxnId))
            {
                continue;
            }
            if (r.Type == WalRecordType.Redo)
            {
                WriteImage(data, r.PageId, Read(wal, header, r), pageSize);
                fullImages.Add(r.PageId);
                redone++;
            }
            else if (r.Type == WalRecordType.RedoDelta)
            {
                // The page's full image was written earlier in this pass, so the file holds the delta's base.
                if (!fullImages.Contains(r.PageId))
                {
                    throw new StorageException($"log record at LSN {r.Lsn} is a delta of page {r.PageId} with no full image of the page before it; the log is corrupt");
                }
                data.Read(page, (long)r.PageId * pageSize);
                PageDelta.Apply(Read(wal, header, r), page);
                WriteImage(data, r.PageId, page, pageSize);
                redone++;
            }
        }
        for (int i = records.Count - 1; i >= 0; i--)
        {
            WalRecordInfo r = records[i];
            if (r.Type == WalRecordType.Undo && !finished.Contains(r.TxnId))
            {
                WriteImage(data, r.PageId, Read(wal, header, r), pageSize);
                undone++;
            }
        }
        var page0 = new byte[pageSize];
        FileHeaderPage.Write(page0, pageSize, state, databaseId);
        PageHeader.WriteChecksum(page0);
        data.Write(page0, 0);
        data.Sync();
        return new RecoveryReport
        {
            Ran = true,
            RecordsScanned = records.Count,
            TailBytesDiscarded = scan.TailBytes,
            TailOffset = scan.TailOffset,
            CommittedTransactions = committed.Count,
            UndoneTransactions = seen.Count(t => !finished.Contains(t)),
            PagesRedone = redone,
            PagesUndone = undone,
            Loss = scan.Damage,
            Elapsed = clock.Elapsed,
        };
    }

    private static byte[] Read(IStorageFile wal, WalFormat.FileHeader header, WalRecordInfo r)
    {
        var payload = new byte[r.Length - WalFormat.RecordHeaderSize];
        WalScanner.ReadStream(wal, header.BaseLsn, r.Lsn + WalFormat.RecordHeaderSize, payload);
        return payload;
    }

    private static void WriteImage(IStorageFile data, uint pageId, byte[] image, int pageSize)
    {
        if (image.Length != pageSize || pageId == 0)
        {
            throw new StorageException($"log record for page {pageId} holds {image.Length} bytes, expected a {pageSize}-byte page image; the log is corrupt");
        }
        PageHeader.WriteChecksum(image);
        data.Write(image, (long)pageId * pageSize);
    }
}
