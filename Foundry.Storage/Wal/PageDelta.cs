using System.Buffers.Binary;

namespace Foundry.Storage;

/// <summary>
/// The payload of a RedoDelta log record: the byte ranges in which a page differs from its previous
/// logged state, each stored with its new bytes. Little-endian:
///
/// | size | field   | meaning                                                  |
/// |------|---------|----------------------------------------------------------|
/// | 2    | count   | number of ranges                                         |
/// | 2    | offset  | per range, ascending and disjoint: first byte in the page |
/// | 2    | length  | bytes in the range                                       |
/// | n    | bytes   | the page's new bytes at [offset, offset + length)         |
///
/// Applying a delta overwrites its ranges and nothing else, so it is idempotent and order-sensitive
/// like a full image: replaying every record of a page in log order, starting from a full image of it,
/// rebuilds the page whatever the database file held (see <see cref="WalRecovery"/>). Offsets and
/// lengths are 16-bit, so deltas are only used for pages of at most 32 KiB.
/// </summary>
public static class PageDelta
{
    /// <summary>Largest page a delta can describe.</summary>
    public const int MaxPageSize = 32768;

    /// <summary>Equal bytes shorter than this between two differing stretches are included rather than starting a new range (a range header costs 4).</summary>
    private const int MergeGap = 8;

    /// <summary>
    /// Encodes the change from <paramref name="before"/> to <paramref name="after"/> into
    /// <paramref name="destination"/>; false when the delta would not fit there (the caller logs a full
    /// image instead).
    /// </summary>
    public static bool TryEncode(ReadOnlySpan<byte> before, ReadOnlySpan<byte> after, Span<byte> destination, out int written)
    {
        written = 0;
        int n = after.Length;
        if (before.Length != n || n > MaxPageSize || destination.Length < 2)
        {
            return false;
        }
        int count = 0, at = 2, i = 0;
        while (true)
        {
            i += after[i..].CommonPrefixLength(before[i..]);
            if (i >= n)
            {
                break;
            }
            int start = i, end = i + 1;
            while (end < n)
            {
                int same = after[end..].CommonPrefixLength(before[end..]);
                if (same >= MergeGap || end + same >= n)
                {
                    break;
                }
                end += same + 1;
            }
            int length = end - start;
            if (at + 4 + length > destination.Length)
            {
                return false;
            }
            BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], (ushort)start);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(at + 2)..], (ushort)length);
            after.Slice(start, length).CopyTo(destination[(at + 4)..]);
            at += 4 + length;
            count++;
            i = end;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)count);
        written = at;
        return true;
    }

    /// <summary>Overwrites the delta's ranges of <paramref name="page"/>; throws when the delta is malformed.</summary>
    public static void Apply(ReadOnlySpan<byte> delta, Span<byte> page)
    {
        int count = BinaryPrimitives.ReadUInt16LittleEndian(delta);
        int at = 2;
        for (int r = 0; r < count; r++)
        {
            int offset = BinaryPrimitives.ReadUInt16LittleEndian(delta[at..]);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(delta[(at + 2)..]);
            if (offset + length > page.Length || at + 4 + length > delta.Length)
            {
                throw new StorageException($"log delta range {r} ({offset}, {length}) does not fit a {page.Length}-byte page; the log is corrupt");
            }
            delta.Slice(at + 4, length).CopyTo(page[offset..]);
            at += 4 + length;
        }
    }
}
