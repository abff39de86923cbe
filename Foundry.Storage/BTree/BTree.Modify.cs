using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Foundry.Storage;

public sealed partial class BTree
{
    /// <summary>Inserts the entry; returns false, changing nothing, when the key already exists.</summary>
    public bool Insert(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ThrowIfDropped();
        CheckEntrySize(key, value);
        return !ModifyAtRoot(key, value, ModifyKind.Insert);
    }

    /// <summary>Inserts the entry, or replaces the value when the key already exists.</summary>
    public void Upsert(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ThrowIfDropped();
        CheckEntrySize(key, value);
        ModifyAtRoot(key, value, ModifyKind.Upsert);
    }

    /// <summary>
    /// Removes the entry with <paramref name="key"/>; false when absent. A node left below the minimum fill
    /// (BT7) is merged with or refilled from a sibling, and a root left with one child collapses into it,
    /// so emptied pages go back to the free list.
    /// </summary>
    public bool Delete(ReadOnlySpan<byte> key)
    {
        ThrowIfDropped();
        return ModifyAtRoot(key, default, ModifyKind.Delete);
    }

    private enum ModifyKind { Insert, Upsert, Delete }

    /// <summary>
    /// A node split: the separator and the new right node for the parent. <paramref name="Append"/> when the
    /// split kept the left node full because the entry went past the end of the last node of its level
    /// (ascending inserts); the parent then splits the same way if it has to.
    /// </summary>
    private readonly record struct Split(byte[] Separator, uint RightPageId, bool Append = false);

    /// <summary>A leaf cell that did not fit in its leaf at <paramref name="Slot"/>; the parent places it (see <see cref="PlaceOverfullCell"/>).</summary>
    private readonly record struct Overfull(byte[] Cell, int Slot);

    /// <summary>
    /// What a subtree reports to its parent: whether the key was there, a split to absorb, a leaf cell to place,
    /// or underflow (at the root: an interior root left without keys, which <see cref="CollapseRoot"/> removes).
    /// </summary>
    private readonly record struct Outcome(bool Found, Split? Split, bool Underfull, Overfull? Overfull = null);

    /// <summary>Runs one modification from the root; returns whether the key was present beforehand.</summary>
    private bool ModifyAtRoot(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ModifyKind kind)
    {
        Outcome outcome = Modify(RootPageId, key, value, kind, isRoot: true, rightmost: true, depth: 1);
        Split? split = outcome.Split;
        if (outcome.Overfull is { } o)
        {
            // The root is a leaf: no siblings to shift into, so it splits (appending keeps it full).
            using PageRef root = _pager.Get(RootPageId);
            split = SplitLeaf(root, o, append: o.Slot == Node.Count(root.Buffer));
        }
        if (split is { } s)
        {
            GrowRoot(s);
        }
        else if (outcome.Underfull)
        {
            CollapseRoot();
        }
        return outcome.Found;
    }

    /// <summary>
    /// One modification of the subtree at <paramref name="pageId"/>. <paramref name="rightmost"/>: the node is the
    /// last of its level (on the root's rightmost path), which BT7 lets hold less than MinFillBytes.
    /// </summary>
    private Outcome Modify(uint pageId, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ModifyKind kind, bool isRoot, bool rightmost, int depth)
    {
        CheckDescent(depth);
        using PageRef page = _pager.Get(pageId);
        byte[] buf = page.Buffer;
        Split? split = null;
        bool found;
        if (Node.IsLeaf(buf))
        {
            int slot = Node.LowerBound(buf, key, leaf: true, out found);
            if ((kind == ModifyKind.Insert && found) || (kind == ModifyKind.Delete && !found))
            {
                return new Outcome(found, null, false); // Insert of a present key, or Delete of an absent one
            }
            page.MarkDirty();
            if (found)
            {
                RemoveLeafEntry(buf, slot);
            }
            if (kind != ModifyKind.Delete)
            {
                bool inline = key.Length + value.Length <= MaxEntryBytes;
                if (inline && Node.Fits(buf, Node.LeafCellSize(key.Length, value.Length, overflow: false)))
                {
                    Node.InsertLeafCell(buf, slot, key, value); // the common case: no cell built first
                }
                else
                {
                    byte[] cell = BuildLeafCell(key, value);
                    if (!Node.Fits(buf, cell.Length))
                    {
                        return new Outcome(found, null, false, new Overfull(cell, slot));
                    }
                    Node.InsertRawCell(buf, slot, cell);
                }
            }
        }
        else
        {
            int i = Node.Route(buf, key);
            uint child = Node.ChildAt(buf, i);
            bool childRightmost = rightmost && i == Node.Count(buf);
            Outcome below = Modify(child, key, value, kind, isRoot: false, childRightmost, depth + 1);
            found = below.Found;
            if (below.Overfull is { } o)
            {
                page.MarkDirty();
                split = PlaceOverfullCell(page, i, o, childRightmost);
            }
            else if (below.Split is { } cs)
            {
                page.MarkDirty();
                split = InsertSeparator(page, i, child, cs);
            }
            else if (below.Underfull)
            {
                page.MarkDirty();
                split = RebalanceChild(page, i);
            }
        }
        return new Outcome(found, split, split is null && IsUnderfull(buf, isRoot, rightmost));
    }

    /// <summary>
    /// BT7 broken by this node: below MinFillBytes; for the last node of its level, which may hold less, empty
    /// (a leaf without entries, an interior node without keys); for the root, an interior node without keys.
    /// </summary>
    private bool IsUnderfull(byte[] buf, bool isRoot, bool rightmost) =>
        isRoot ? Node.Count(buf) == 0 && !Node.IsLeaf(buf)
        : rightmost ? Node.Count(buf) == 0
        : Node.UsedBytes(buf) < MinFillBytes;

    /// <summary>Inserts separator (child | key) at routing position i with position i + 1 pointing at the split's right page; splits this node when it does not fit.</summary>
    private Split? InsertSeparator(PageRef page, int i, uint child, Split childSplit)
    {
        byte[] buf = page.Buffer;
        if (Node.Fits(buf, Node.InteriorCellSize(childSplit.Separator.Length)))
        {
            Node.InsertInteriorCell(buf, i, child, childSplit.Separator);
            Node.SetChildAt(buf, i + 1, childSplit.RightPageId);
            return null;
        }
        return SplitInterior(page, i, child, childSplit);
    }

    /// <summary>
    /// BT10: the root (already holding the left half of its split) moves into a new left child, and the root
    /// becomes an interior node with one separator over the left child and the new right sibling.
    /// </summary>
    private void GrowRoot(Split split)
    {
        using PageRef root = _pager.Get(RootPageId);
        using PageRef left = _pager.Allocate();
        root.MarkDirty(); // before any change (the pager logs the before-image, PG2)
        root.Buffer.CopyTo(left.Buffer, 0);
        left.MarkDirty();
        Node.Format(root.Buffer, leaf: false);
        Node.InsertInteriorCell(root.Buffer, 0, left.PageId, split.Separator);
        Node.SetLink(root.Buffer, split.RightPageId);
    }

    /// <summary>BT7/BT10: while the root is an interior node without keys, its only child's contents move into the root page and the child is freed.</summary>
    private void CollapseRoot()
    {
        while (true)
        {
            uint child;
            using (PageRef root = _pager.Get(RootPageId))
            {
                if (Node.IsLeaf(root.Buffer) || Node.Count(root.Buffer) > 0)
                {
                    return;
                }
                child = Node.Link(root.Buffer);
                using PageRef only = _pager.Get(child);
                root.MarkDirty();
                only.Buffer.CopyTo(root.Buffer, 0);
            }
            _pager.Free(child);
        }
    }

    /// <summary>
    /// Splits a leaf that cannot take the overfull cell; this page keeps the left part. Evenly by bytes, or —
    /// <paramref name="append"/>, the cell going past the end of the last leaf — leaving this page as it is
    /// (full) with the cell alone in the new right leaf, which BT7 allows as the last leaf.
    /// </summary>
    private Split SplitLeaf(PageRef page, Overfull o, bool append)
    {
        byte[] buf = page.Buffer;
        if (append)
        {
            using PageRef last = _pager.Allocate();
            Node.Format(last.Buffer, leaf: true);
            Node.SetLink(last.Buffer, Node.Link(buf));
            Node.InsertRawCell(last.Buffer, 0, o.Cell);
            Node.SetLink(buf, last.PageId);
            return new Split(Node.LeafCellKey(o.Cell).ToArray(), last.PageId, Append: true);
        }
        List<byte[]> cells = ReadCells(buf, leaf: true);
        cells.Insert(o.Slot, o.Cell);
        int m = LeafSplitPoint(cells);
        using PageRef right = _pager.Allocate();
        Node.Format(right.Buffer, leaf: true);
        Node.SetLink(right.Buffer, Node.Link(buf));
        WriteLeaf(buf, cells, 0, m, right.PageId, page.PageId);
        WriteLeaf(right.Buffer, cells, m, cells.Count, Node.Link(right.Buffer), right.PageId);
        right.MarkDirty();
        return new Split(Node.LeafCellKey(cells[m]).ToArray(), right.PageId);
    }

    /// <summary>
    /// Splits an interior node after inserting (child, separator) at routing position <paramref name="i"/>
    /// and pointing position i + 1 at the new right child. The middle key moves up — or, after an append
    /// split of the child (its last child, so this is the last node of its level too), the last key but one,
    /// leaving the new right node one key and this node nearly full.
    /// </summary>
    private Split SplitInterior(PageRef page, int i, uint child, Split childSplit)
    {
        byte[] buf = page.Buffer;
        (List<byte[]> keys, List<uint> children) = ReadInterior(buf);
        keys.Insert(i, childSplit.Separator);
        children.Insert(i, child);
        children[i + 1] = childSplit.RightPageId;
        int m = childSplit.Append ? keys.Count - 2 : InteriorSplitPoint(keys);
        using PageRef right = _pager.Allocate();
        WriteInterior(buf, keys, children, 0, m, page.PageId);
        WriteInterior(right.Buffer, keys, children, m + 1, keys.Count, right.PageId);
        right.MarkDirty();
        return new Split(keys[m], right.PageId, childSplit.Append);
    }

    // ---- node contents as lists (splits, merges, redistribution, bulk load) ----

    private static List<byte[]> ReadCells(byte[] buf, bool leaf)
    {
        int n = Node.Count(buf);
        var cells = new List<byte[]>(n + 1);
        for (int i = 0; i < n; i++)
        {
            cells.Add(Node.Cell(buf, i, leaf).ToArray());
        }
        return cells;
    }

    /// <summary>Keys k0..k(n-1) and children c0..cn (the rightmost child last).</summary>
    private static (List<byte[]> Keys, List<uint> Children) ReadInterior(byte[] buf)
    {
        int n = Node.Count(buf);
        var keys = new List<byte[]>(n + 1);
        var children = new List<uint>(n + 2);
        for (int j = 0; j < n; j++)
        {
            keys.Add(Node.Key(buf, j, leaf: false).ToArray());
            children.Add(Node.Child(buf, j));
        }
        children.Add(Node.Link(buf));
        return (keys, children);
    }

    /// <summary>Formats <paramref name="buf"/> as a leaf holding cells [from, to) and right sibling <paramref name="link"/>.</summary>
    private void WriteLeaf(byte[] buf, List<byte[]> cells, int from, int to, uint link, uint pageId)
    {
        Node.Format(buf, leaf: true);
        Node.SetLink(buf, link);
        for (int i = from; i < to; i++)
        {
            if (!Node.Fits(buf, cells[i].Length))
            {
                ThrowSplitOverflow(pageId);
            }
            Node.InsertRawCell(buf, i - from, cells[i]);
        }
    }

    /// <summary>Formats <paramref name="buf"/> as an interior node with keys [from, to) and children [from, to].</summary>
    private void WriteInterior(byte[] buf, List<byte[]> keys, List<uint> children, int from, int to, uint pageId)
    {
        Node.Format(buf, leaf: false);
        for (int j = from; j < to; j++)
        {
            if (!Node.Fits(buf, Node.InteriorCellSize(keys[j].Length)))
            {
                ThrowSplitOverflow(pageId);
            }
            Node.InsertInteriorCell(buf, j - from, children[j], keys[j]);
        }
        Node.SetLink(buf, children[to]);
    }

    private static int SlotBytes(byte[] cell) => cell.Length + 2;

    private static int SeparatorBytes(byte[] key) => Node.InteriorCellSize(key.Length) + 2;

    /// <summary>
    /// m in [1, n-1] best balancing the bytes of cells [0, m) against [m, n). With every cell at most
    /// MaxEntryBytes + 6, two halves of more than a page each keep at least MinFillBytes (BT7).
    /// </summary>
    private static int LeafSplitPoint(List<byte[]> cells)
    {
        int total = 0;
        foreach (byte[] c in cells)
        {
            total += SlotBytes(c);
        }
        int best = 1, bestDiff = int.MaxValue, left = 0;
        for (int m = 1; m < cells.Count; m++)
        {
            left += SlotBytes(cells[m - 1]);
            int diff = Math.Abs(left - (total - left));
            if (diff < bestDiff)
            {
                best = m;
                bestDiff = diff;
            }
        }
        return best;
    }

    /// <summary>
    /// m in [0, n-1] (key m moves up) best balancing keys [0, m) against (m, n). With every separator at
    /// most MaxKeyBytes, both halves of more than a page keep at least MinFillBytes (BT7).
    /// </summary>
    private static int InteriorSplitPoint(List<byte[]> keys)
    {
        int total = 0;
        foreach (byte[] k in keys)
        {
            total += SeparatorBytes(k);
        }
        int best = 0, bestDiff = int.MaxValue, left = 0;
        for (int m = 0; m < keys.Count; m++)
        {
            int right = total - left - SeparatorBytes(keys[m]);
            int diff = Math.Abs(left - right);
            if (diff < bestDiff)
            {
                best = m;
                bestDiff = diff;
            }
            left += SeparatorBytes(keys[m]);
        }
        return best;
    }

    // ---- leaf cells ----

    /// <summary>
    /// The leaf cell for an entry (layout in <see cref="Node"/>). When key plus value exceeds MaxEntryBytes the
    /// value's tail is written to a new overflow chain and the cell holds its length, first page and a prefix
    /// filling the cell to exactly MaxEntryBytes (BT8).
    /// </summary>
    private byte[] BuildLeafCell(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        bool overflow = key.Length + value.Length > MaxEntryBytes;
        int prefix = overflow ? MaxEntryBytes - key.Length - Node.OverflowPointerSize : value.Length;
        int payload = overflow ? Node.OverflowPointerSize + prefix : value.Length;
        var cell = new byte[Node.LeafCellSize(key.Length, payload, overflow)];
        Span<byte> rest = cell.AsSpan(Node.BeginLeafCell(cell, key, payload, overflow));
        if (!overflow)
        {
            value.CopyTo(rest);
            return cell;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(rest, (uint)value.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(rest[4..], OverflowChain.Write(_pager, value[prefix..]));
        value[..prefix].CopyTo(rest[Node.OverflowPointerSize..]);
        return cell;
    }

    /// <summary>Removes a leaf entry, freeing its overflow chain (BT12: the chain belonged to this cell alone).</summary>
    private void RemoveLeafEntry(byte[] buf, int slot)
    {
        if (Node.IsOverflow(buf, slot))
        {
            OverflowChain.Free(_pager, Node.OverflowFirstPage(buf, slot));
        }
        Node.RemoveCell(buf, slot, leaf: true);
    }

    [DoesNotReturn]
    private void ThrowSplitOverflow(uint pageId) =>
        throw new StorageException($"internal error: rebuilding page {pageId} in '{_pager.Path}' produced a node that does not fit; this is a Foundry bug");

    private void CheckEntrySize(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (key.Length > MaxKeyBytes || value.Length > MaxValueBytes)
        {
            ThrowEntryTooLarge(key.Length, value.Length);
        }
    }

    [DoesNotReturn]
    private void ThrowEntryTooLarge(int keyLength, int valueLength) =>
        throw new StorageException(
            $"entry too large for B+Tree rooted at page {RootPageId}: key {keyLength} + value {valueLength} = {keyLength + valueLength} bytes, limits are {MaxKeyBytes} bytes for a key ({_pager.PageSizeBytes}-byte pages) and {MaxValueBytes} for a value");
}
