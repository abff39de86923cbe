using System.Buffers.Binary;

namespace Foundry.Storage;

/// <summary>What <see cref="WalScanner.Scan"/> found in a log file.</summary>
public sealed class WalScan
{
    /// <summary>The log's header; null when the file holds no log of this database (missing, empty, or no sector of it).</summary>
    public WalFormat.FileHeader? Header { get; init; }

    /// <summary>The records to recover from, in log order (the trusted part only, when <see cref="Damage"/> is set).</summary>
    public List<WalRecordInfo> Records { get; } = new();

    /// <summary>LSN after the last whole record: where the log continues.</summary>
    public long EndLsn { get; set; }

    /// <summary>Stream bytes of an unfinished write after <see cref="EndLsn"/>, cut off (RF4).</summary>
    public long TailBytes { get; set; }

    /// <summary>File offset where the cut-off tail starts.</summary>
    public long TailOffset { get; set; }

    /// <summary>Why the log cannot be trusted past <see cref="EndLsn"/> (RF1–RF3); null when it can.</summary>
    public WalDamage? Damage { get; set; }
}

/// <summary>
/// Reads a log file (framing in <see cref="WalSectors"/>, records in <see cref="WalFormat"/>) and decides
/// what recovery may use. The rules, cited by tests and messages:
///
///  - RF1 The header must be intact and name this database (its id). A damaged header, a header of
///        another database, or one with another page size is refused when the file holds sectors of a log
///        (a header is rewritten by a single-sector write, so a crash never leaves it half-written); a file
///        with no sector of any log describes nothing and is ignored.
///  - RF2 The stream is the run of valid sectors (SC1) from sector 1. A damaged sector (SC2) is refused:
///        under the sector-atomicity assumption no crash produces one, so its bytes were changed after
///        they were written, and they may be acknowledged commits (a flip in the last commit's sector looks
///        like nothing else). A record inside the stream must be well-formed (LSN = position, length and
///        type in range, reserved bytes zero); a malformed one is refused.
///  - RF3 Every valid sector records how far the log was durable when it was written. If any valid sector
///        of the log — after the end of the stream too — says the log was durable past the last whole
///        record, synced data is missing (a lost or zeroed sector): refused.
///  - RF4 Otherwise the stream ends at an unwritten sector (SC3) or a partial one, and a record cut there
///        is the torn tail of a write that never became durable: it, and any valid sectors of the same
///        unfinished write after it, are cut off and reported (<see cref="WalScan.TailBytes"/>).
///
/// Sectors from before the last truncation and the zeros of preallocated space are SC3: they end the
/// stream cleanly and never count as tail.
/// </summary>
public static class WalScanner
{
    private const int ChunkSectors = 128;

    /// <summary>Scans <paramref name="file"/> as the log of the database with id <paramref name="databaseId"/> and page size <paramref name="pageSize"/>.</summary>
    public static WalScan Scan(IStorageFile file, ulong databaseId, int pageSize)
    {
        long length = file.Length;
        if (length == 0)
        {
            return new WalScan();
        }
        var headerBytes = new byte[WalFormat.FileHeaderSize];
        int read = file.Read(headerBytes, 0);
        WalFormat.FileHeader? parsed = WalFormat.TryReadFileHeader(headerBytes.AsSpan(0, read), out string problem);
        if (parsed is not { } header)
        {
            return HoldsSectorsOf(file, databaseId)
                ? Refused(file, databaseId, 0, $"the header is damaged: {problem}", baseLsn: null)
                : new WalScan();
        }
        if (header.DatabaseId != databaseId)
        {
            return HoldsLog(file, header)
                ? Refused(file, header.DatabaseId, WalFormat.DatabaseIdOffset,
                    $"the log belongs to another database (database id {header.DatabaseId:X16} in the log, {databaseId:X16} in the database file)",
                    baseLsn: header.BaseLsn, countCommits: false)
                : new WalScan();
        }
        if (header.PageSize != pageSize)
        {
            return HoldsLog(file, header)
                ? Refused(file, databaseId, 16, $"the log is for {header.PageSize}-byte pages, the database file has {pageSize}-byte pages", header.BaseLsn)
                : new WalScan();
        }
        return ScanStream(file, header);
    }

    /// <summary>RF2–RF4 over the sectors of a log whose header is sound.</summary>
    private static WalScan ScanStream(IStorageFile file, WalFormat.FileHeader header)
    {
        long baseLsn = header.BaseLsn;
        var scan = new WalScan { Header = header, EndLsn = baseLsn };
        long sectors = Math.Max(0, file.Length / WalSectors.Size - 1);
        long streamEnd = baseLsn;
        bool ended = false;
        long maxDurable = 0;
        long tailSectorBytes = 0;
        WalDamage? damage = null;
        ForEachSector(file, 0, sectors, (index, sector) =>
        {
            WalSectors.Kind kind = WalSectors.Classify(sector, baseLsn, index, header.DatabaseId, out int used, out long durable);
            if (kind == WalSectors.Kind.Damaged)
            {
                long seq = WalSectors.Sequence(baseLsn, index);
                damage ??= Damage(file, header, WalSectors.FileOffset(index),
                    $"sector {index + 1} (LSN {seq}) fails its checksum: its bytes changed after they were written (RF2)", ended ? streamEnd : seq);
                return damage is null;
            }
            if (kind == WalSectors.Kind.Valid)
            {
                maxDurable = Math.Max(maxDurable, durable);
                if (!ended)
                {
                    streamEnd = WalSectors.Sequence(baseLsn, index) + used;
                    ended = used < WalSectors.DataSize;
                }
                else
                {
                    tailSectorBytes += used;
                }
                return true;
            }
            ended = true;
            return true;
        });
        long end = ParseRecords(file, header, streamEnd, scan, ref damage);
        scan.EndLsn = end;
        if (damage is null && maxDurable > end)
        {
            damage = Damage(file, header, WalSectors.FileOffsetOf(baseLsn, end),
                $"the log ends at LSN {end}, but a later sector was written after the log was synced through LSN {maxDurable}: synced data is missing (RF3)", end);
        }
        if (damage is not null)
        {
            scan.Damage = damage;
            return scan;
        }
        scan.TailBytes = streamEnd - end + tailSectorBytes;
        scan.TailOffset = WalSectors.FileOffsetOf(baseLsn, end);
        return scan;
    }

    /// <summary>Reads the records of the stream [base, <paramref name="streamEnd"/>); returns the LSN after the last whole one (RF2, RF4).</summary>
    private static long ParseRecords(IStorageFile file, WalFormat.FileHeader header, long streamEnd, WalScan scan, ref WalDamage? damage)
    {
        long limit = damage?.KeptEndLsn ?? streamEnd;
        long pos = header.BaseLsn;
        int maxLength = WalFormat.RecordHeaderSize + header.PageSize;
        var recordHeader = new byte[WalFormat.RecordHeaderSize];
        while (limit - pos >= WalFormat.RecordHeaderSize)
        {
            ReadStream(file, header.BaseLsn, pos, recordHeader);
            int n = BinaryPrimitives.ReadInt32LittleEndian(recordHeader.AsSpan(4));
            long lsn = BinaryPrimitives.ReadInt64LittleEndian(recordHeader.AsSpan(8));
            var type = (WalRecordType)recordHeader[24];
            bool wellFormed = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader) == 0 && lsn == pos
                && n >= WalFormat.RecordHeaderSize && n <= maxLength
                && type is >= WalRecordType.Redo and <= WalRecordType.RedoDelta
                && recordHeader[25] == 0 && recordHeader[26] == 0 && recordHeader[27] == 0;
            if (!wellFormed)
            {
                if (damage is null)
                {
                    damage = Damage(file, header, WalSectors.FileOffsetOf(header.BaseLsn, pos),
                        $"the record at LSN {pos} is malformed (LSN field {lsn}, length {n}, type {(byte)type}) although its sectors are intact (RF2)", pos);
                }
                return pos;
            }
            if (pos + n > limit)
            {
                break; // RF4: cut by the end of the stream (or by the damage)
            }
            scan.Records.Add(new WalRecordInfo(pos, n, BinaryPrimitives.ReadUInt64LittleEndian(recordHeader.AsSpan(16)), type,
                BinaryPrimitives.ReadUInt32LittleEndian(recordHeader.AsSpan(28))));
            pos += n;
        }
        if (damage is not null && damage.KeptEndLsn != pos)
        {
            damage = Damage(file, header, damage.Offset, damage.Reason, pos);
        }
        return pos;
    }

    /// <summary>Reads <paramref name="destination"/>.Length stream bytes at <paramref name="lsn"/> of a log starting at <paramref name="baseLsn"/>.</summary>
    public static void ReadStream(IStorageFile file, long baseLsn, long lsn, Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            int inSector = (int)((lsn - baseLsn) % WalSectors.DataSize);
            int n = Math.Min(destination.Length, WalSectors.DataSize - inSector);
            if (file.Read(destination[..n], WalSectors.FileOffsetOf(baseLsn, lsn)) != n)
            {
                throw new StorageException($"log '{file.Path}' ends before LSN {lsn + n}; this is a Foundry bug");
            }
            destination = destination[n..];
            lsn += n;
        }
    }

    /// <summary>The damage at <paramref name="offset"/>, with what keeping the log up to <paramref name="keptEnd"/> would drop.</summary>
    private static WalDamage Damage(IStorageFile file, WalFormat.FileHeader header, long offset, string reason, long keptEnd)
    {
        (long toOffset, long toLsn, int commits) = DroppedPart(file, header.DatabaseId, keptEnd);
        return new WalDamage
        {
            LogPath = file.Path,
            Offset = offset,
            Reason = reason,
            KeptEndLsn = keptEnd,
            DroppedFromLsn = keptEnd,
            DroppedToLsn = Math.Max(keptEnd, toLsn),
            DroppedFromOffset = WalSectors.FileOffsetOf(header.BaseLsn, keptEnd),
            DroppedToOffset = Math.Max(WalSectors.FileOffsetOf(header.BaseLsn, keptEnd), toOffset),
            DroppedCommits = commits,
        };
    }

    /// <summary>A refusal that drops the whole log (RF1): nothing of it can be trusted.</summary>
    private static WalScan Refused(IStorageFile file, ulong sectorsId, long offset, string reason, long? baseLsn, bool countCommits = true)
    {
        (long toOffset, long toLsn, int commits) = countCommits ? DroppedPart(file, sectorsId, baseLsn ?? 0) : (file.Length, 0, 0);
        long from = baseLsn ?? 0;
        return new WalScan
        {
            Damage = new WalDamage
            {
                LogPath = file.Path,
                Offset = offset,
                Reason = reason + " (RF1)",
                KeptEndLsn = from,
                DroppedFromLsn = from,
                DroppedToLsn = Math.Max(from, toLsn),
                DroppedFromOffset = WalSectors.Size,
                DroppedToOffset = Math.Max(WalSectors.Size, toOffset),
                DroppedCommits = commits,
            },
        };
    }

    /// <summary>
    /// The readable part of the log at or after <paramref name="fromLsn"/>: sectors whose checksum and both
    /// tags hold for <paramref name="databaseId"/>, wherever they are (their tags give their LSNs). Returns
    /// the end of the last one (file offset and LSN) and the Commit records found in them: a record header
    /// whose LSN field is its own stream position, of type Commit, with the Commit length.
    /// </summary>
    private static (long ToOffset, long ToLsn, int Commits) DroppedPart(IStorageFile file, ulong databaseId, long fromLsn)
    {
        long toOffset = 0, toLsn = 0;
        int commits = 0;
        long sectors = Math.Max(0, file.Length / WalSectors.Size - 1);
        var run = new List<byte>();
        long runStart = -1;
        void FlushRun()
        {
            commits += CountCommits(run, runStart);
            run.Clear();
            runStart = -1;
        }
        ForEachSector(file, 0, sectors, (index, sector) =>
        {
            long seq = WalSectors.TaggedSequence(sector, databaseId);
            int used = BinaryPrimitives.ReadUInt16LittleEndian(sector[WalSectors.UsedOffset..]);
            bool readable = WalSectors.ChecksumMatches(sector, databaseId)
                && BinaryPrimitives.ReadUInt64LittleEndian(sector[WalSectors.TrailerTagOffset..]) == BinaryPrimitives.ReadUInt64LittleEndian(sector[WalSectors.TagOffset..])
                && used is > 0 and <= WalSectors.DataSize && seq + used > fromLsn;
            if (!readable)
            {
                FlushRun();
                return true;
            }
            if (runStart >= 0 && runStart + run.Count != seq)
            {
                FlushRun();
            }
            if (runStart < 0)
            {
                runStart = seq;
            }
            foreach (byte b in sector.Slice(WalSectors.DataOffset, used))
            {
                run.Add(b);
            }
            if (used < WalSectors.DataSize)
            {
                FlushRun();
            }
            toOffset = WalSectors.FileOffset(index) + WalSectors.Size;
            toLsn = Math.Max(toLsn, seq + used);
            return true;
        });
        FlushRun();
        return (toOffset, toLsn, commits);
    }

    private static int CountCommits(List<byte> run, long startLsn)
    {
        const int commitLength = WalFormat.RecordHeaderSize + WalFormat.HeaderStateSize;
        int count = 0;
        var bytes = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(run);
        for (int i = 0; i + commitLength <= bytes.Length; i++)
        {
            if (bytes[i + 24] == (byte)WalRecordType.Commit
                && BinaryPrimitives.ReadInt32LittleEndian(bytes[(i + 4)..]) == commitLength
                && BinaryPrimitives.ReadInt64LittleEndian(bytes[(i + 8)..]) == startLsn + i)
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>True when some sector of the file passes its checksum for <paramref name="databaseId"/> (RF1: the file holds a log).</summary>
    private static bool HoldsSectorsOf(IStorageFile file, ulong databaseId)
    {
        bool found = false;
        ForEachSector(file, 0, Math.Max(0, file.Length / WalSectors.Size - 1), (_, sector) =>
        {
            found = WalSectors.ChecksumMatches(sector, databaseId);
            return !found;
        });
        return found;
    }

    /// <summary>True when the first record sector is a valid sector of the log <paramref name="header"/> describes.</summary>
    private static bool HoldsLog(IStorageFile file, WalFormat.FileHeader header)
    {
        var sector = new byte[WalSectors.Size];
        return file.Read(sector, WalSectors.FileOffset(0)) == sector.Length
            && WalSectors.Classify(sector, header.BaseLsn, 0, header.DatabaseId, out _, out _) == WalSectors.Kind.Valid;
    }

    private delegate bool SectorVisitor(long index, ReadOnlySpan<byte> sector);

    /// <summary>Visits record sectors [<paramref name="from"/>, <paramref name="to"/>) in order, reading in chunks, until the visitor returns false.</summary>
    private static void ForEachSector(IStorageFile file, long from, long to, SectorVisitor visit)
    {
        var chunk = new byte[ChunkSectors * WalSectors.Size];
        for (long index = from; index < to; index += ChunkSectors)
        {
            int count = (int)Math.Min(ChunkSectors, to - index);
            int n = file.Read(chunk.AsSpan(0, count * WalSectors.Size), WalSectors.FileOffset(index)) / WalSectors.Size;
            for (int i = 0; i < n; i++)
            {
                if (!visit(index + i, chunk.AsSpan(i * WalSectors.Size, WalSectors.Size)))
                {
                    return;
                }
            }
        }
    }
}
