using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Foundry.Storage;

/// <summary>
/// The part of a large B+Tree value that does not fit in its leaf, stored in a singly linked chain of
/// overflow pages. After the common <see cref="PageHeader"/> (type Overflow), little-endian:
///
/// | offset | size          | field      | meaning                                              |
/// |--------|---------------|------------|------------------------------------------------------|
/// | 16     | 4             | next       | next page of the chain, 0 on the last page            |
/// | 20     | 4             | used bytes | value bytes on this page: the page's data capacity on every page but the last |
/// | 24     | pageSize - 24 | data       | value bytes, continuing where the previous page ended |
///
/// A chain belongs to exactly one leaf cell (BT12); moving the cell between leaves (split, merge,
/// redistribution) moves the pointer, never the chain. Deleting or replacing the entry frees the chain.
/// </summary>
internal static class OverflowChain
{
    public const int NextOffset = PageHeader.Size;
    public const int UsedOffset = PageHeader.Size + 4;
    public const int DataOffset = PageHeader.Size + 8;

    public static int DataCapacity(int pageSizeBytes) => pageSizeBytes - DataOffset;

    /// <summary>Writes <paramref name="data"/> (non-empty) to newly allocated pages; returns the first page id.</summary>
    public static uint Write(Pager pager, ReadOnlySpan<byte> data)
    {
        int capacity = DataCapacity(pager.PageSizeBytes);
        PageRef page = pager.Allocate();
        uint first = page.PageId;
        try
        {
            while (true)
            {
                int n = Math.Min(capacity, data.Length);
                byte[] buf = page.Buffer;
                PageHeader.Format(buf, PageType.Overflow);
                BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(UsedOffset), (uint)n);
                data[..n].CopyTo(buf.AsSpan(DataOffset));
                data = data[n..];
                if (data.IsEmpty)
                {
                    return first;
                }
                PageRef next = pager.Allocate();
                BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(NextOffset), next.PageId);
                page.Dispose();
                page = next;
            }
        }
        finally
        {
            page.Dispose();
        }
    }

    /// <summary>Reads the chain starting at <paramref name="first"/> into <paramref name="destination"/>, which must be exactly the chain's length.</summary>
    public static void Read(Pager pager, uint first, Span<byte> destination)
    {
        uint id = first;
        while (!destination.IsEmpty)
        {
            if (id == 0)
            {
                ThrowShort(pager, first, destination.Length);
            }
            using PageRef page = pager.Get(id);
            byte[] buf = page.Buffer;
            CheckType(pager, page, first);
            int used = (int)BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(UsedOffset));
            if (used > destination.Length || used > DataCapacity(buf.Length))
            {
                throw new StorageException(
                    $"overflow page {id} of '{pager.Path}' (chain from page {first}) claims {used} bytes, but {destination.Length} remain of the value and a page holds {DataCapacity(buf.Length)}");
            }
            buf.AsSpan(DataOffset, used).CopyTo(destination);
            destination = destination[used..];
            id = BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(NextOffset));
        }
    }

    /// <summary>Puts every page of the chain on the free list.</summary>
    public static void Free(Pager pager, uint first)
    {
        uint id = first;
        while (id != 0)
        {
            uint next;
            using (PageRef page = pager.Get(id))
            {
                CheckType(pager, page, first);
                next = BinaryPrimitives.ReadUInt32LittleEndian(page.Buffer.AsSpan(NextOffset));
            }
            pager.Free(id);
            id = next;
        }
    }

    private static void CheckType(Pager pager, PageRef page, uint first)
    {
        if (page.PageType != PageType.Overflow)
        {
            throw new StorageException(
                $"page {page.PageId} of '{pager.Path}' is in the overflow chain from page {first} but has type {page.PageType}, expected Overflow");
        }
    }

    [DoesNotReturn]
    private static void ThrowShort(Pager pager, uint first, int missing) =>
        throw new StorageException($"overflow chain from page {first} of '{pager.Path}' ends {missing} bytes before the value does");
}
