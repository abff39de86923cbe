using System.Buffers.Binary;

namespace Foundry.Storage;

/// <summary>
/// The log file is framed in 512-byte sectors. Sector 0 holds the file header (<see cref="WalFormat"/>);
/// sectors 1, 2, … carry the record stream, <see cref="DataSize"/> bytes each, so the stream byte at LSN
/// <c>p</c> lies in sector <c>1 + (p − base) / DataSize</c>: position and LSN determine each other.
/// All integers little-endian.
///
/// | offset | size | field          | meaning                                                                 |
/// |--------|------|----------------|-------------------------------------------------------------------------|
/// | 0      | 4    | checksum       | CRC-32C of bytes [4, 512), xor the folded database id                   |
/// | 4      | 8    | tag            | sector sequence xor database id                                         |
/// | 12     | 8    | durable LSN    | the log was durable (fsynced) through this LSN when the sector was written |
/// | 20     | 2    | used           | stream bytes in the sector, 1..480; fewer only in the last sector of a write |
/// | 22     | 2    | reserved       | zero                                                                    |
/// | 24     | 480  | data           | stream bytes, zero after <c>used</c>                                    |
/// | 504    | 8    | tag            | the same tag again                                                      |
///
/// The sequence of a sector is the LSN of its first data byte (base LSN + index × 480). LSNs grow across
/// truncations, so a sector left from before the last truncation never has the sequence its position
/// implies; the database id in the checksum and the tag makes a sector of another database's log fail both.
///
/// A sector is:
///  - SC1 valid: checksum matches, both tags are the expected one, used in range;
///  - SC2 damaged: checksum fails but at least one tag is the expected one. A single flipped byte leaves
///        one of the two tags intact, so it always lands here (or fails the checksum of a valid sector);
///  - SC3 unwritten: anything else (zeros, a sector from before the last truncation, garbage).
///
/// Writing: a flush writes whole sectors, from the sector holding its first byte to the one holding its
/// last. The last sector of a write is usually partial; the next write rewrites it with more data (same
/// sequence, larger <c>used</c>). That rewrite, and every sector write, is assumed atomic: after a crash a
/// sector holds its old or its new bytes, never a mixture. The old bytes of a rewritten sector are a
/// prefix of the new ones, so losing the rewrite loses only what the new write added, which was not yet
/// durable. (Disks promise atomic writes of their logical sector, 512 bytes or more; Linux page-cache
/// writes interrupted by SIGKILL stop at 4 KiB page boundaries, which are sector boundaries.)
/// </summary>
public static class WalSectors
{
    public const int Size = 512;
    public const int ChecksumOffset = 0;
    public const int TagOffset = 4;
    public const int DurableLsnOffset = 12;
    public const int UsedOffset = 20;
    public const int DataOffset = 24;
    public const int TrailerTagOffset = Size - 8;
    public const int DataSize = TrailerTagOffset - DataOffset;

    /// <summary>Classification of one sector read from the file (SC1–SC3).</summary>
    public enum Kind
    {
        Valid,
        Damaged,
        Unwritten,
    }

    /// <summary>File offset of record sector <paramref name="index"/> (sector 0 is the file header).</summary>
    public static long FileOffset(long index) => (1 + index) * Size;

    /// <summary>Index of the record sector holding stream byte <paramref name="lsn"/> of a log starting at <paramref name="baseLsn"/>.</summary>
    public static long IndexOf(long baseLsn, long lsn) => (lsn - baseLsn) / DataSize;

    /// <summary>The sequence (LSN of the first data byte) of record sector <paramref name="index"/>.</summary>
    public static long Sequence(long baseLsn, long index) => baseLsn + index * DataSize;

    /// <summary>File offset of stream byte <paramref name="lsn"/>.</summary>
    public static long FileOffsetOf(long baseLsn, long lsn) =>
        FileOffset(IndexOf(baseLsn, lsn)) + DataOffset + (lsn - baseLsn) % DataSize;

    /// <summary>Writes one sector with sequence <paramref name="sequence"/> holding <paramref name="data"/> (at most <see cref="DataSize"/> bytes).</summary>
    public static void Encode(Span<byte> sector, long sequence, ulong databaseId, long durableLsn, ReadOnlySpan<byte> data)
    {
        sector = sector[..Size];
        ulong tag = (ulong)sequence ^ databaseId;
        BinaryPrimitives.WriteUInt64LittleEndian(sector[TagOffset..], tag);
        BinaryPrimitives.WriteInt64LittleEndian(sector[DurableLsnOffset..], durableLsn);
        BinaryPrimitives.WriteUInt16LittleEndian(sector[UsedOffset..], (ushort)data.Length);
        sector[(UsedOffset + 2)..DataOffset].Clear();
        data.CopyTo(sector[DataOffset..]);
        sector[(DataOffset + data.Length)..TrailerTagOffset].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(sector[TrailerTagOffset..], tag);
        BinaryPrimitives.WriteUInt32LittleEndian(sector, Checksum(sector, databaseId));
    }

    /// <summary>
    /// Encodes the stream bytes <paramref name="data"/>, which start at <paramref name="startLsn"/>, as whole
    /// sectors into <paramref name="output"/>, starting with the sector that holds <paramref name="startLsn"/>;
    /// <paramref name="carried"/> is that sector's data before <paramref name="startLsn"/> (the previous
    /// write's partial last sector). Returns the number of bytes of <paramref name="output"/> used.
    /// </summary>
    public static int EncodeStream(Span<byte> output, long baseLsn, long startLsn, ReadOnlySpan<byte> carried,
        ReadOnlySpan<byte> data, ulong databaseId, long durableLsn)
    {
        long index = IndexOf(baseLsn, startLsn);
        int written = 0;
        int consumed = 0;
        Span<byte> first = stackalloc byte[DataSize];
        carried.CopyTo(first);
        int take = Math.Min(DataSize - carried.Length, data.Length);
        data[..take].CopyTo(first[carried.Length..]);
        Encode(output, Sequence(baseLsn, index), databaseId, durableLsn, first[..(carried.Length + take)]);
        written += Size;
        consumed += take;
        while (consumed < data.Length)
        {
            index++;
            int n = Math.Min(DataSize, data.Length - consumed);
            Encode(output[written..], Sequence(baseLsn, index), databaseId, durableLsn, data.Slice(consumed, n));
            written += Size;
            consumed += n;
        }
        return written;
    }

    /// <summary>Bytes of whole sectors needed for <paramref name="length"/> stream bytes starting at <paramref name="startLsn"/>.</summary>
    public static int EncodedLength(long baseLsn, long startLsn, int length)
    {
        long first = IndexOf(baseLsn, startLsn);
        long last = IndexOf(baseLsn, startLsn + Math.Max(length, 1) - 1);
        return (int)(last - first + 1) * Size;
    }

    /// <summary>Classifies a sector read at record index <paramref name="index"/> of a log starting at <paramref name="baseLsn"/> (SC1–SC3).</summary>
    public static Kind Classify(ReadOnlySpan<byte> sector, long baseLsn, long index, ulong databaseId, out int used, out long durableLsn)
    {
        ulong expected = (ulong)Sequence(baseLsn, index) ^ databaseId;
        ulong head = BinaryPrimitives.ReadUInt64LittleEndian(sector[TagOffset..]);
        ulong tail = BinaryPrimitives.ReadUInt64LittleEndian(sector[TrailerTagOffset..]);
        used = BinaryPrimitives.ReadUInt16LittleEndian(sector[UsedOffset..]);
        durableLsn = BinaryPrimitives.ReadInt64LittleEndian(sector[DurableLsnOffset..]);
        bool checksum = BinaryPrimitives.ReadUInt32LittleEndian(sector) == Checksum(sector, databaseId);
        if (checksum && head == expected && tail == expected && used is > 0 and <= DataSize)
        {
            return Kind.Valid;
        }
        return head == expected || tail == expected ? Kind.Damaged : Kind.Unwritten;
    }

    /// <summary>True when the sector's checksum matches for <paramref name="databaseId"/>, whatever its position.</summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> sector, ulong databaseId) =>
        BinaryPrimitives.ReadUInt32LittleEndian(sector) == Checksum(sector, databaseId);

    /// <summary>The sequence a sector's tag names for <paramref name="databaseId"/>.</summary>
    public static long TaggedSequence(ReadOnlySpan<byte> sector, ulong databaseId) =>
        (long)(BinaryPrimitives.ReadUInt64LittleEndian(sector[TagOffset..]) ^ databaseId);

    private static uint Checksum(ReadOnlySpan<byte> sector, ulong databaseId) =>
        Crc32C.Compute(sector[(ChecksumOffset + 4)..Size]) ^ (uint)databaseId ^ (uint)(databaseId >> 32);
}
