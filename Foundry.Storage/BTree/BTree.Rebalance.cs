namespace Foundry.Storage;

public sealed partial class BTree
{
    /// <summary>
    /// The child at routing position <paramref name="i"/> of <paramref name="parent"/> fell below MinFillBytes
    /// (BT7). It is combined with its left sibling (its right one when it is the first child): when both fit in
    /// one node they merge into the left page, the right page is freed and the separator between them leaves
    /// the parent; otherwise their contents are redistributed evenly by bytes and the separator is replaced.
    /// A longer new separator can overflow the parent, which then splits (the returned split).
    /// </summary>
    private Split? RebalanceChild(PageRef parent, int i)
    {
        byte[] pbuf = parent.Buffer;
        int s = i > 0 ? i - 1 : i;
        uint leftId = Node.ChildAt(pbuf, s);
        uint rightId = Node.ChildAt(pbuf, s + 1);
        byte[] separator = Node.Key(pbuf, s, leaf: false).ToArray();
        byte[]? newSeparator;
        using (PageRef left = _pager.Get(leftId))
        using (PageRef right = _pager.Get(rightId))
        {
            left.MarkDirty();
            right.MarkDirty();
            newSeparator = Node.IsLeaf(left.Buffer)
                ? RebalanceLeaves(left, right)
                : RebalanceInteriors(left, right, separator);
        }
        Node.RemoveCell(pbuf, s, leaf: false); // position s now routes to the right page
        if (newSeparator is null)
        {
            Node.SetChildAt(pbuf, s, leftId);
            _pager.Free(rightId);
            return null;
        }
        return InsertSeparator(parent, s, leftId, new Split(newSeparator, rightId));
    }

    /// <summary>Merges two adjacent leaves into the left one (returns null; the caller frees the right), or evens them out and returns the new separator.</summary>
    private byte[]? RebalanceLeaves(PageRef left, PageRef right)
    {
        List<byte[]> cells = ReadCells(left.Buffer, leaf: true);
        cells.AddRange(ReadCells(right.Buffer, leaf: true));
        int total = 0;
        foreach (byte[] c in cells)
        {
            total += SlotBytes(c);
        }
        uint rightLink = Node.Link(right.Buffer);
        if (total <= Node.Capacity(_pager.PageSizeBytes))
        {
            WriteLeaf(left.Buffer, cells, 0, cells.Count, rightLink, left.PageId);
            return null;
        }
        int m = LeafSplitPoint(cells);
        WriteLeaf(left.Buffer, cells, 0, m, right.PageId, left.PageId);
        WriteLeaf(right.Buffer, cells, m, cells.Count, rightLink, right.PageId);
        return Node.LeafCellKey(cells[m]).ToArray();
    }

    /// <summary>As <see cref="RebalanceLeaves"/> for interior nodes: the parent's separator comes down between them, and a middle key goes back up.</summary>
    private byte[]? RebalanceInteriors(PageRef left, PageRef right, byte[] separator)
    {
        (List<byte[]> keys, List<uint> children) = ReadInterior(left.Buffer);
        (List<byte[]> rightKeys, List<uint> rightChildren) = ReadInterior(right.Buffer);
        keys.Add(separator);
        keys.AddRange(rightKeys);
        children.AddRange(rightChildren);
        int total = 0;
        foreach (byte[] k in keys)
        {
            total += SeparatorBytes(k);
        }
        if (total <= Node.Capacity(_pager.PageSizeBytes))
        {
            WriteInterior(left.Buffer, keys, children, 0, keys.Count, left.PageId);
            return null;
        }
        int m = InteriorSplitPoint(keys);
        WriteInterior(left.Buffer, keys, children, 0, m, left.PageId);
        WriteInterior(right.Buffer, keys, children, m + 1, keys.Count, right.PageId);
        return keys[m];
    }
}
