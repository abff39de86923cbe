using System.Buffers.Binary;

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
/// Leaf cell:     u16 keyLength | u16 payloadLength | key bytes | payload
///   inline value (bit 15 of payloadLength clear): payload = the value
///   overflow value (bit 15 set; low 15 bits = payload length):
///                  payload = u32 total value length | u32 first overflow page | value prefix
///                  (the prefix fills the cell to MaxEntryBytes; the rest is in an <see cref="OverflowChain"/>)
/// Interior cell: u32 leftChild | u16 keyLength | key bytes
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
    public const int LeafCellHeader = 4;
    public const int InteriorCellHeader = 6;
    public const int OverflowFlag = 0x8000;
    public const int OverflowPointerSize = 8;

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

    // ---- cells ----

    public static int LeafCellSize(int keyLength, int valueLength) => LeafCellHeader + keyLength + valueLength;

    public static int InteriorCellSize(int keyLength) => InteriorCellHeader + keyLength;

    public static int CellSize(byte[] page, int slot, bool leaf)
    {
        int off = SlotOffset(page, slot);
        return leaf
            ? LeafCellHeader + BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(off)) + (BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(off + 2)) & ~OverflowFlag)
            : InteriorCellHeader + BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(off + 4));
    }

    public static ReadOnlySpan<byte> Key(byte[] page, int slot, bool leaf)
    {
        int off = SlotOffset(page, slot);
        return leaf
            ? page.AsSpan(off + LeafCellHeader, BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(off)))
            : page.AsSpan(off + InteriorCellHeader, BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(off + 4)));
    }

    public static int LeafKeyOffset(byte[] page, int slot) => SlotOffset(page, slot) + LeafCellHeader;

    public static int LeafKeyLength(byte[] page, int slot) => BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(SlotOffset(page, slot)));

    /// <summary>Length of the payload stored in the leaf: the value itself, or the overflow pointer plus prefix.</summary>
    public static int LeafValueLength(byte[] page, int slot) => BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(SlotOffset(page, slot) + 2)) & ~OverflowFlag;

    public static bool IsOverflow(byte[] page, int slot) => (BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(SlotOffset(page, slot) + 2)) & OverflowFlag) != 0;

    /// <summary>Overflow cell: the whole value's length.</summary>
    public static int OverflowTotalLength(byte[] page, int slot) => (int)BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(LeafValueOffset(page, slot)));

    /// <summary>Overflow cell: first page of the chain.</summary>
    public static uint OverflowFirstPage(byte[] page, int slot) => BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(LeafValueOffset(page, slot) + 4));

    /// <summary>Overflow cell: the value prefix kept in the leaf.</summary>
    public static ReadOnlySpan<byte> OverflowPrefix(byte[] page, int slot) =>
        page.AsSpan(LeafValueOffset(page, slot) + OverflowPointerSize, LeafValueLength(page, slot) - OverflowPointerSize);

    public static int LeafValueOffset(byte[] page, int slot) => LeafKeyOffset(page, slot) + LeafKeyLength(page, slot);

    public static ReadOnlySpan<byte> LeafValue(byte[] page, int slot) =>
        page.AsSpan(LeafValueOffset(page, slot), LeafValueLength(page, slot));

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
    public static ReadOnlySpan<byte> LeafCellKey(ReadOnlySpan<byte> cell) =>
        cell.Slice(LeafCellHeader, BinaryPrimitives.ReadUInt16LittleEndian(cell));

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

    /// <summary>Inserts a leaf cell at <paramref name="slot"/>. Caller checked <see cref="Fits"/>.</summary>
    public static void InsertLeafCell(byte[] page, int slot, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        int off = ReserveCell(page, slot, LeafCellSize(key.Length, value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(off), (ushort)key.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(off + 2), (ushort)value.Length);
        key.CopyTo(page.AsSpan(off + LeafCellHeader));
        value.CopyTo(page.AsSpan(off + LeafCellHeader + key.Length));
    }

    /// <summary>Inserts an interior cell at <paramref name="slot"/>. Caller checked <see cref="Fits"/>.</summary>
    public static void InsertInteriorCell(byte[] page, int slot, uint child, ReadOnlySpan<byte> key)
    {
        int off = ReserveCell(page, slot, InteriorCellSize(key.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(off), child);
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(off + 4), (ushort)key.Length);
        key.CopyTo(page.AsSpan(off + InteriorCellHeader));
    }

    private static int ReserveCell(byte[] page, int slot, int size)
    {
        if (ContiguousFree(page) < size + 2)
        {
            Compact(page);
        }
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

    /// <summary>Rewrites the cell area so all garbage becomes contiguous free space.</summary>
    public static void Compact(byte[] page)
    {
        bool leaf = IsLeaf(page);
        int n = Count(page);
        var copy = new byte[page.Length];
        int end = page.Length;
        for (int i = 0; i < n; i++)
        {
            int size = CellSize(page, i, leaf);
            end -= size;
            page.AsSpan(SlotOffset(page, i), size).CopyTo(copy.AsSpan(end));
            SetSlotOffset(page, i, end);
        }
        page.AsSpan(end).Clear();
        copy.AsSpan(end).CopyTo(page.AsSpan(end));
        page.AsSpan(SlotArrayOffset + 2 * n, end - (SlotArrayOffset + 2 * n)).Clear();
        SetContentStart(page, end);
        SetGarbage(page, 0);
    }
}
