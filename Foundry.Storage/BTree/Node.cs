using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;

namespace Foundry.Storage;

/// <summary>
/// Slotted layout of a B+Tree node page (leaf or interior). After the common <see cref="PageHeader"/>
/// (type BTreeLeaf or BTreeInterior), little-endian:
///
/// | offset | size   | field              | meaning                                                         |
/// |--------|--------|--------------------|-----------------------------------------------------------------|
/// | 16     | 2      | cell count         | n, number of slots                                              |
/// | 18     | 2      | reserved           | zero                                                            |
/// | 20     | 4      | cell content start | lowest byte offset used by a cell; pageSize when there are none |
/// | 24     | 4      | garbage bytes      | bytes in the cell area no slot points at (left by deletes)      |
/// | 28     | 4      | link               | leaf: right sibling page id (0 = last leaf); interior: rightmost child |
/// | 32     | 2 * n  | slot array         | u16 offset of each cell, in key order; grows towards the end    |
/// | ...    |        | free space         | between the slot array and cell content start                  |
/// | start  |        | cell content       | cells, packed from the end of the page towards the front       |
///
/// A length is 1 byte for values below 0x80, else 2 bytes: 0x80 | (value &gt;&gt; 8), then value &amp; 0xFF
/// (15 bits, big-endian, so values up to 0x7FFF). Writers always use the 1-byte form when it suffices.
/// Every length stored below is at most 0x7FFF for pages up to 64 KiB (BT8: keys at most 16368 bytes,
/// key plus leaf payload at most 16380).
///
/// Leaf cell:     len(2 * keyLength + overflow) | key bytes | len(payloadLength) | payload
///   inline value (overflow bit 0): payload = the value
///   overflow value (overflow bit 1):
///                  payload = u32 total value length | u32 first overflow page | value prefix
///                  (the prefix fills key plus payload to MaxEntryBytes; the rest is in an <see cref="OverflowChain"/>)
///   A key under 64 bytes and a payload under 128 bytes cost 2 header bytes; the key comes first so that a
///   search reads one length byte before comparing.
/// Interior cell: u32 leftChild | len(keyLength) | key bytes   (one length byte for keys under 128 bytes)
///
/// An interior node with keys k0 &lt; … &lt; k(n-1) and children c0 … c(n-1) (one per cell) plus the
/// rightmost child cn routes key x to ci for the smallest i with x &lt; ki, else to cn.
/// </summary>
internal static class Node
{
    public const int CellCountOffset = PageHeader.Size;
    public const int ContentStartOffset = PageHeader.Size + 4;
    public const int GarbageOffset = PageHeader.Size + 8;
    public const int LinkOffset = PageHeader.Size + 12;
    public const int SlotArrayOffset = PageHeader.Size + 16;
    public const int ChildPointerSize = 4;
    public const int OverflowPointerSize = 8;

    /// <summary>Largest value a length field holds (two bytes, 15 bits).</summary>
    public const int MaxLength = 0x7FFF;

    /// <summary>Most bytes a leaf cell spends on its two lengths; interior cells spend at most 2 + <see cref="ChildPointerSize"/>.</summary>
    public const int MaxLeafHeader = 4;

    public static void Format(byte[] page, bool leaf)
    {
        PageHeader.Format(page, leaf ? PageType.BTreeLeaf : PageType.BTreeInterior);
        SetContentStart(page, page.Length);
    }

    public static bool IsLeaf(byte[] page) => PageHeader.GetPageType(page) == PageType.BTreeLeaf;

    public static int Count(byte[] page) => BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(CellCountOffset));

    public static void SetCount(byte[] page, int n) => BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(CellCountOffset), (ushort)n);

    public static int ContentStart(byte[] page) => (int)BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(ContentStartOffset));

    public static void SetContentStart(byte[] page, int v) => BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(ContentStartOffset), (uint)v);

    public static int Garbage(byte[] page) => (int)BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(GarbageOffset));

    public static void SetGarbage(byte[] page, int v) => BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(GarbageOffset), (uint)v);

    /// <summary>Leaf: right sibling. Interior: rightmost child.</summary>
    public static uint Link(byte[] page) => BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(LinkOffset));

    public static void SetLink(byte[] page, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(LinkOffset), v);

    public static int SlotOffset(byte[] page, int slot) =>
        BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(SlotArrayOffset + 2 * slot));

    private static void SetSlotOffset(byte[] page, int slot, int offset) =>
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(SlotArrayOffset + 2 * slot), (ushort)offset);

    /// <summary>Bytes free between the slot array and the cell content, not counting garbage.</summary>
    public static int ContiguousFree(byte[] page) => ContentStart(page) - (SlotArrayOffset + 2 * Count(page));

    // ---- lengths ----

    /// <summary>Bytes the length field for <paramref name="value"/> takes: 1 below 0x80, else 2.</summary>
    public static int LengthSize(int value) => value < 0x80 ? 1 : 2;

    /// <summary>Writes the length field for <paramref name="value"/> (at most <see cref="MaxLength"/>); returns its size.</summary>
    public static int WriteLength(Span<byte> destination, int value)
    {
        Debug.Assert((uint)value <= MaxLength, "a cell length field holds 15 bits");
        if (value < 0x80)
        {
            destination[0] = (byte)value;
            return 1;
        }
        destination[1] = (byte)value;
        destination[0] = (byte)(0x80 | (value >> 8));
        return 2;
    }

    /// <summary>Reads the length field at <paramref name="offset"/>; <paramref name="size"/> receives its byte count.</summary>
    public static int ReadLength(ReadOnlySpan<byte> bytes, int offset, out int size)
    {
        int b = bytes[offset];
        if (b < 0x80)
        {
            size = 1;
            return b;
        }
        size = 2;
        return (b & 0x7F) << 8 | bytes[offset + 1];
    }

    // ---- cells ----

    public static int LeafCellSize(int keyLength, int payloadLength, bool overflow) =>
        LengthSize(2 * keyLength + (overflow ? 1 : 0)) + keyLength + LengthSize(payloadLength) + payloadLength;

    public static int InteriorCellSize(int keyLength) => ChildPointerSize + LengthSize(keyLength) + keyLength;

    /// <summary>Where the parts of a leaf cell are, as offsets into the buffer the cell was decoded from.</summary>
    public readonly record struct LeafCellLayout(int KeyOffset, int KeyLength, int PayloadOffset, int PayloadLength, bool Overflow)
    {
        /// <summary>Offset just past the cell.</summary>
        public int End => PayloadOffset + PayloadLength;
    }

    /// <summary>Decodes the leaf cell starting at <paramref name="offset"/> of <paramref name="bytes"/> (a page or a lone cell).</summary>
    public static LeafCellLayout LeafCellAt(ReadOnlySpan<byte> bytes, int offset)
    {
        int header = ReadLength(bytes, offset, out int size);
        int keyOffset = offset + size;
        int keyLength = header >> 1;
        int payloadLength = ReadLength(bytes, keyOffset + keyLength, out size);
        return new LeafCellLayout(keyOffset, keyLength, keyOffset + keyLength + size, payloadLength, (header & 1) != 0);
    }

    public static LeafCellLayout LeafCell(byte[] page, int slot) => LeafCellAt(page, SlotOffset(page, slot));

    /// <summary>Size of the cell at <paramref name="offset"/> (header included).</summary>
    public static int CellSizeAt(ReadOnlySpan<byte> bytes, int offset, bool leaf)
    {
        if (leaf)
        {
            return LeafCellAt(bytes, offset).End - offset;
        }
        int keyLength = ReadLength(bytes, offset + ChildPointerSize, out int size);
        return ChildPointerSize + size + keyLength;
    }

    public static int CellSize(byte[] page, int slot, bool leaf) => CellSizeAt(page, SlotOffset(page, slot), leaf);

    /// <summary>
    /// Bounds-checked <see cref="CellSizeAt"/> for the validator: false when the cell's header or body runs
    /// past <paramref name="end"/> or a length uses the 2-byte form for a value that fits in one byte.
    /// </summary>
    public static bool TryCellSize(ReadOnlySpan<byte> bytes, int offset, int end, bool leaf, out int size)
    {
        size = 0;
        int at = leaf ? offset : offset + ChildPointerSize;
        if (!TryReadLength(bytes, at, end, out int first, out int firstSize))
        {
            return false;
        }
        at += firstSize;
        if (leaf)
        {
            at += first >> 1;
            if (!TryReadLength(bytes, at, end, out int payload, out int payloadSize))
            {
                return false;
            }
            at += payloadSize + payload;
        }
        else
        {
            at += first;
        }
        size = at - offset;
        return at <= end;
    }

    private static bool TryReadLength(ReadOnlySpan<byte> bytes, int offset, int end, out int value, out int size)
    {
        value = size = 0;
        if (offset >= end || (bytes[offset] >= 0x80 && offset + 1 >= end))
        {
            return false;
        }
        value = ReadLength(bytes, offset, out size);
        return size == LengthSize(value);
    }

    /// <summary>The key of the cell at <paramref name="slot"/>: the hot path of every search, so it decodes just the key's length.</summary>
    public static ReadOnlySpan<byte> Key(byte[] page, int slot, bool leaf)
    {
        int off = SlotOffset(page, slot) + (leaf ? 0 : ChildPointerSize);
        int length = page[off];
        if (length < 0x80)
        {
            off += 1;
        }
        else
        {
            length = (length & 0x7F) << 8 | page[off + 1];
            off += 2;
        }
        return page.AsSpan(off, leaf ? length >> 1 : length);
    }

    /// <summary>Length of the payload stored in the leaf: the value itself, or the overflow pointer plus prefix.</summary>
    public static int LeafValueLength(byte[] page, int slot) => LeafCell(page, slot).PayloadLength;

    /// <summary>The overflow bit: the low bit of the key length field, which is in its last byte (big-endian).</summary>
    public static bool IsOverflow(byte[] page, int slot)
    {
        int off = SlotOffset(page, slot);
        int last = page[off] < 0x80 ? page[off] : page[off + 1];
        return (last & 1) != 0;
    }

    /// <summary>Overflow cell: the whole value's length.</summary>
    public static int OverflowTotalLength(byte[] page, int slot) => (int)BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(LeafCell(page, slot).PayloadOffset));

    /// <summary>Overflow cell: first page of the chain.</summary>
    public static uint OverflowFirstPage(byte[] page, int slot) => BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(LeafCell(page, slot).PayloadOffset + 4));

    /// <summary>Overflow cell: the value prefix kept in the leaf.</summary>
    public static ReadOnlySpan<byte> OverflowPrefix(byte[] page, int slot)
    {
        LeafCellLayout cell = LeafCell(page, slot);
        return page.AsSpan(cell.PayloadOffset + OverflowPointerSize, cell.PayloadLength - OverflowPointerSize);
    }

    public static ReadOnlySpan<byte> LeafValue(byte[] page, int slot)
    {
        LeafCellLayout cell = LeafCell(page, slot);
        return page.AsSpan(cell.PayloadOffset, cell.PayloadLength);
    }

    public static uint Child(byte[] page, int slot) => BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(SlotOffset(page, slot)));

    public static void SetChild(byte[] page, int slot, uint child) =>
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(SlotOffset(page, slot)), child);

    /// <summary>Child at routing position i in [0, n]: cell i's child, or the rightmost child for i == n.</summary>
    public static uint ChildAt(byte[] page, int i) => i == Count(page) ? Link(page) : Child(page, i);

    public static void SetChildAt(byte[] page, int i, uint child)
    {
        if (i == Count(page))
        {
            SetLink(page, child);
        }
        else
        {
            SetChild(page, i, child);
        }
    }

    /// <summary>Bytes a node can spend on cells and their slots: the page minus the node header.</summary>
    public static int Capacity(int pageSizeBytes) => pageSizeBytes - SlotArrayOffset;

    /// <summary>Bytes the node spends on live cells plus their 2-byte slots (the fill measure of BT7).</summary>
    public static int UsedBytes(byte[] page) => 2 * Count(page) + page.Length - ContentStart(page) - Garbage(page);

    /// <summary>The whole cell at <paramref name="slot"/> (header included), for moving cells between nodes verbatim.</summary>
    public static ReadOnlySpan<byte> Cell(byte[] page, int slot, bool leaf) => page.AsSpan(SlotOffset(page, slot), CellSize(page, slot, leaf));

    /// <summary>Inserts a cell copied verbatim from another node. Caller checked <see cref="Fits"/>.</summary>
    public static void InsertRawCell(byte[] page, int slot, ReadOnlySpan<byte> cell) =>
        cell.CopyTo(page.AsSpan(ReserveCell(page, slot, cell.Length)));

    /// <summary>Key of a raw leaf cell.</summary>
    public static ReadOnlySpan<byte> LeafCellKey(ReadOnlySpan<byte> cell)
    {
        LeafCellLayout layout = LeafCellAt(cell, 0);
        return cell.Slice(layout.KeyOffset, layout.KeyLength);
    }

    /// <summary>
    /// Writes the start of a leaf cell (both lengths and the key) for a payload of <paramref name="payloadLength"/>
    /// bytes into <paramref name="destination"/>, <see cref="LeafCellSize"/> long; returns the offset the payload goes to.
    /// </summary>
    public static int BeginLeafCell(Span<byte> destination, ReadOnlySpan<byte> key, int payloadLength, bool overflow)
    {
        int at = WriteLength(destination, 2 * key.Length + (overflow ? 1 : 0));
        key.CopyTo(destination[at..]);
        at += key.Length;
        return at + WriteLength(destination[at..], payloadLength);
    }

    // ---- search ----

    /// <summary>First slot whose key is &gt; <paramref name="key"/> (n when none).</summary>
    public static int UpperBound(byte[] page, ReadOnlySpan<byte> key, bool leaf)
    {
        int lo = 0, hi = Count(page);
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Key(page, mid, leaf).SequenceCompareTo(key) <= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>First slot whose key is &gt;= <paramref name="key"/> (n when none); <paramref name="found"/> when equal.</summary>
    public static int LowerBound(byte[] page, ReadOnlySpan<byte> key, bool leaf, out bool found)
    {
        int lo = 0, hi = Count(page);
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Key(page, mid, leaf).SequenceCompareTo(key) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        found = lo < Count(page) && Key(page, lo, leaf).SequenceEqual(key);
        return lo;
    }

    /// <summary>Routing position of <paramref name="key"/> in an interior node: smallest i with key &lt; ki, else n.</summary>
    public static int Route(byte[] page, ReadOnlySpan<byte> key)
    {
        int lo = 0, hi = Count(page);
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (key.SequenceCompareTo(Key(page, mid, leaf: false)) < 0)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        return lo;
    }

    // ---- mutation ----

    /// <summary>True when a cell of <paramref name="cellSize"/> bytes fits, possibly after compaction.</summary>
    public static bool Fits(byte[] page, int cellSize) => ContiguousFree(page) + Garbage(page) >= cellSize + 2;

    /// <summary>Inserts an inline leaf cell (key plus value within MaxEntryBytes) at <paramref name="slot"/>. Caller checked <see cref="Fits"/>.</summary>
    public static void InsertLeafCell(byte[] page, int slot, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        int size = LeafCellSize(key.Length, value.Length, overflow: false);
        Span<byte> cell = page.AsSpan(ReserveCell(page, slot, size), size);
        value.CopyTo(cell[BeginLeafCell(cell, key, value.Length, overflow: false)..]);
    }

    /// <summary>Inserts an interior cell at <paramref name="slot"/>. Caller checked <see cref="Fits"/>.</summary>
    public static void InsertInteriorCell(byte[] page, int slot, uint child, ReadOnlySpan<byte> key)
    {
        int off = ReserveCell(page, slot, InteriorCellSize(key.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(off), child);
        int at = off + ChildPointerSize;
        at += WriteLength(page.AsSpan(at), key.Length);
        key.CopyTo(page.AsSpan(at));
    }

    private static int ReserveCell(byte[] page, int slot, int size)
    {
        if (ContiguousFree(page) < size + 2)
        {
            Compact(page);
        }
        Debug.Assert(ContiguousFree(page) >= size + 2, "callers check Fits or that the node's final contents fit");
        int n = Count(page);
        int off = ContentStart(page) - size;
        SetContentStart(page, off);
        Span<byte> slots = page.AsSpan(SlotArrayOffset, 2 * (n + 1));
        slots[(2 * slot)..(2 * n)].CopyTo(slots[(2 * slot + 2)..]);
        SetSlotOffset(page, slot, off);
        SetCount(page, n + 1);
        return off;
    }

    /// <summary>Removes the slot; its cell bytes become garbage until the next compaction.</summary>
    public static void RemoveCell(byte[] page, int slot, bool leaf)
    {
        int n = Count(page);
        int size = CellSize(page, slot, leaf);
        int off = SlotOffset(page, slot);
        Span<byte> slots = page.AsSpan(SlotArrayOffset, 2 * n);
        slots[(2 * slot + 2)..].CopyTo(slots[(2 * slot)..]);
        SetCount(page, n - 1);
        if (off == ContentStart(page))
        {
            SetContentStart(page, off + size);
        }
        else
        {
            SetGarbage(page, Garbage(page) + size);
        }
        page.AsSpan(off, size).Clear();
    }

    /// <summary>Removes slots [<paramref name="from"/>, from + <paramref name="count"/>); their cell bytes become garbage.</summary>
    public static void RemoveCells(byte[] page, int from, int count, bool leaf)
    {
        int n = Count(page);
        int garbage = Garbage(page);
        for (int k = from; k < from + count; k++)
        {
            int size = CellSize(page, k, leaf);
            page.AsSpan(SlotOffset(page, k), size).Clear();
            garbage += size;
        }
        Span<byte> slots = page.AsSpan(SlotArrayOffset, 2 * n);
        slots[(2 * (from + count))..].CopyTo(slots[(2 * from)..]);
        SetCount(page, n - count);
        SetGarbage(page, garbage);
    }

    /// <summary>Rewrites the cell area so all garbage becomes contiguous free space.</summary>
    public static void Compact(byte[] page)
    {
        bool leaf = IsLeaf(page);
        int n = Count(page);
        byte[] copy = ArrayPool<byte>.Shared.Rent(page.Length);
        int end = page.Length;
        for (int i = 0; i < n; i++)
        {
            int size = CellSize(page, i, leaf);
            end -= size;
            page.AsSpan(SlotOffset(page, i), size).CopyTo(copy.AsSpan(end));
            SetSlotOffset(page, i, end);
        }
        page.AsSpan(end).Clear();
        copy.AsSpan(end, page.Length - end).CopyTo(page.AsSpan(end));
        ArrayPool<byte>.Shared.Return(copy);
        page.AsSpan(SlotArrayOffset + 2 * n, end - (SlotArrayOffset + 2 * n)).Clear();
        SetContentStart(page, end);
        SetGarbage(page, 0);
    }
}
