using System.Diagnostics.CodeAnalysis;

namespace Foundry.Storage;

public sealed partial class BTree
{
    /// <summary>Inserts the entry; returns false, changing nothing, when the key already exists.</summary>
    public bool Insert(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ThrowIfDropped();
        CheckEntrySize(key, value);
        return InsertAtRoot(key, value, replace: false);
    }

    /// <summary>Inserts the entry, or replaces the value when the key already exists.</summary>
    public void Upsert(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ThrowIfDropped();
        CheckEntrySize(key, value);
        InsertAtRoot(key, value, replace: true);
    }

    private readonly record struct Split(byte[] Separator, uint RightPageId);

    private bool InsertAtRoot(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool replace)
    {
        bool inserted = InsertInto(RootPageId, key, value, replace, out Split? split);
        if (split is { } s)
        {
            GrowRoot(s);
        }
        return inserted;
    }

    /// <summary>
    /// BT9: the root (already holding the left half of its split) moves into a new left child, and the root
    /// becomes an interior node with one separator over the left child and the new right sibling.
    /// </summary>
    private void GrowRoot(Split split)
    {
        using PageRef root = _pager.Get(RootPageId);
        using PageRef left = _pager.Allocate();
        root.Buffer.CopyTo(left.Buffer, 0);
        left.MarkDirty();
        Node.Format(root.Buffer, leaf: false);
        Node.InsertInteriorCell(root.Buffer, 0, left.PageId, split.Separator);
        Node.SetLink(root.Buffer, split.RightPageId);
        root.MarkDirty();
    }

    /// <summary>Inserts below <paramref name="pageId"/>; when the node had to split it keeps the left half and <paramref name="split"/> describes the right.</summary>
    private bool InsertInto(uint pageId, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool replace, out Split? split)
    {
        split = null;
        using PageRef page = _pager.Get(pageId);
        byte[] buf = page.Buffer;
        if (Node.IsLeaf(buf))
        {
            int slot = Node.LowerBound(buf, key, leaf: true, out bool found);
            if (found)
            {
                if (!replace)
                {
                    return false;
                }
                Node.RemoveCell(buf, slot, leaf: true);
            }
            page.MarkDirty();
            if (Node.Fits(buf, Node.LeafCellSize(key.Length, value.Length)))
            {
                Node.InsertLeafCell(buf, slot, key, value);
            }
            else
            {
                split = SplitLeaf(page, slot, key.ToArray(), value.ToArray());
            }
            return !found;
        }

        int i = Node.Route(buf, key);
        uint child = Node.ChildAt(buf, i);
        bool inserted = InsertInto(child, key, value, replace, out Split? childSplit);
        if (childSplit is { } cs)
        {
            page.MarkDirty();
            if (Node.Fits(buf, Node.InteriorCellSize(cs.Separator.Length)))
            {
                Node.InsertInteriorCell(buf, i, child, cs.Separator);
                Node.SetChildAt(buf, i + 1, cs.RightPageId);
            }
            else
            {
                split = SplitInterior(page, i, child, cs);
            }
        }
        return inserted;
    }

    private Split SplitLeaf(PageRef page, int slot, byte[] key, byte[] value)
    {
        byte[] buf = page.Buffer;
        int n = Node.Count(buf);
        var keys = new List<byte[]>(n + 1);
        var values = new List<byte[]>(n + 1);
        for (int i = 0; i < n; i++)
        {
            keys.Add(Node.Key(buf, i, leaf: true).ToArray());
            values.Add(Node.LeafValue(buf, i).ToArray());
        }
        keys.Insert(slot, key);
        values.Insert(slot, value);

        var sizes = new int[keys.Count];
        for (int i = 0; i < sizes.Length; i++)
        {
            sizes[i] = Node.LeafCellSize(keys[i].Length, values[i].Length) + 2;
        }
        int m = BalancedSplitPoint(sizes, 1, sizes.Length - 1);

        using PageRef right = _pager.Allocate();
        Node.Format(right.Buffer, leaf: true);
        Node.SetLink(right.Buffer, Node.Link(buf));
        uint leftLink = right.PageId;
        Node.Format(buf, leaf: true);
        Node.SetLink(buf, leftLink);
        for (int i = 0; i < m; i++)
        {
            AppendLeaf(buf, keys[i], values[i], page.PageId);
        }
        for (int i = m; i < keys.Count; i++)
        {
            AppendLeaf(right.Buffer, keys[i], values[i], right.PageId);
        }
        right.MarkDirty();
        return new Split(keys[m], right.PageId);
    }

    /// <summary>
    /// Splits an interior node after inserting (child, separator) at routing position <paramref name="i"/>
    /// and pointing position i + 1 at the new right child. The middle key moves up.
    /// </summary>
    private Split SplitInterior(PageRef page, int i, uint child, Split childSplit)
    {
        byte[] buf = page.Buffer;
        int n = Node.Count(buf);
        var keys = new List<byte[]>(n + 1);
        var children = new List<uint>(n + 2);
        for (int j = 0; j < n; j++)
        {
            keys.Add(Node.Key(buf, j, leaf: false).ToArray());
            children.Add(Node.Child(buf, j));
        }
        children.Add(Node.Link(buf));
        keys.Insert(i, childSplit.Separator);
        children.Insert(i, child);
        children[i + 1] = childSplit.RightPageId;

        var sizes = new int[keys.Count];
        for (int j = 0; j < sizes.Length; j++)
        {
            sizes[j] = Node.InteriorCellSize(keys[j].Length) + 2;
        }
        // Key m moves up; both halves keep at least one key (BT7).
        int m = BalancedSplitPoint(sizes, 1, sizes.Length - 2);

        using PageRef right = _pager.Allocate();
        Node.Format(right.Buffer, leaf: false);
        Node.Format(buf, leaf: false);
        for (int j = 0; j < m; j++)
        {
            AppendInterior(buf, children[j], keys[j], page.PageId);
        }
        Node.SetLink(buf, children[m]);
        for (int j = m + 1; j < keys.Count; j++)
        {
            AppendInterior(right.Buffer, children[j], keys[j], right.PageId);
        }
        Node.SetLink(right.Buffer, children[keys.Count]);
        right.MarkDirty();
        return new Split(keys[m], right.PageId);
    }

    /// <summary>The index m in [lo, hi] that best balances bytes of items [0, m) against items [m, n).</summary>
    private static int BalancedSplitPoint(int[] sizes, int lo, int hi)
    {
        int total = 0;
        foreach (int s in sizes)
        {
            total += s;
        }
        int best = lo, bestDiff = int.MaxValue, left = 0;
        for (int m = 0; m <= hi; m++)
        {
            if (m >= lo)
            {
                int diff = Math.Abs(left - (total - left));
                if (diff < bestDiff)
                {
                    best = m;
                    bestDiff = diff;
                }
            }
            left += sizes[m];
        }
        return best;
    }

    private void AppendLeaf(byte[] buf, byte[] key, byte[] value, uint pageId)
    {
        if (!Node.Fits(buf, Node.LeafCellSize(key.Length, value.Length)))
        {
            ThrowSplitOverflow(pageId);
        }
        Node.InsertLeafCell(buf, Node.Count(buf), key, value);
    }

    private void AppendInterior(byte[] buf, uint child, byte[] key, uint pageId)
    {
        if (!Node.Fits(buf, Node.InteriorCellSize(key.Length)))
        {
            ThrowSplitOverflow(pageId);
        }
        Node.InsertInteriorCell(buf, Node.Count(buf), child, key);
    }

    [DoesNotReturn]
    private void ThrowSplitOverflow(uint pageId) =>
        throw new StorageException($"internal error: split of page {pageId} in '{_pager.Path}' produced a half that does not fit; this is a Foundry bug");

    private void CheckEntrySize(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (key.Length + value.Length > MaxEntryBytes)
        {
            ThrowEntryTooLarge(key.Length, value.Length);
        }
    }

    [DoesNotReturn]
    private void ThrowEntryTooLarge(int keyLength, int valueLength) =>
        throw new StorageException(
            $"entry too large for B+Tree rooted at page {RootPageId}: key {keyLength} + value {valueLength} = {keyLength + valueLength} bytes, limit is {MaxEntryBytes} (a quarter of the usable {_pager.PageSizeBytes}-byte page); overflow pages are not implemented yet");
}
