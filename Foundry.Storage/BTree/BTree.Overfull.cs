namespace Foundry.Storage;

public sealed partial class BTree
{
    /// <summary>
    /// The insert policy: places a cell that did not fit in leaf child <paramref name="i"/> of
    /// <paramref name="parent"/>, trying in turn (a plain 50/50 split leaves leaves ln 2 ≈ 69 % full under
    /// random inserts):
    ///
    ///  1. Append — the cell goes past the end of the tree's last leaf (<paramref name="rightmost"/>; ascending
    ///     keys): <see cref="SplitLeaf"/> leaves the leaf as it is, full, and puts the cell alone in a new last
    ///     leaf, which BT7 allows; the parents split the same way when they must (<see cref="SplitInterior"/>).
    ///  2. Shift — the adjacent sibling under the same parent with more free bytes and the leaf share their cells
    ///     and the new one about evenly by bytes, moving only the cells that cross the boundary; the separator
    ///     between them becomes the right leaf's new first key. Not when the two do not fit in two nodes, or the
    ///     new separator (keys vary in length) does not fit in the parent: a shift never splits the parent.
    ///  3. 2-into-3 split (B*-tree) — the leaf and that sibling, both full, spread their cells and the new one
    ///     over three leaves of about 2/3 each; their separator is replaced and one for the new leaf (after the
    ///     pair) is inserted, which may split the parent. Not when the replacement does not fit in the parent.
    ///  4. Split in two, evenly by bytes; the parent may split.
    ///
    /// Every step checks the nodes it would write before changing anything: each holds at most C bytes and at
    /// least MinFillBytes (BT7). Returns the parent's own split, if any.
    /// </summary>
    private Split? PlaceOverfullCell(PageRef parent, int i, Overfull o, bool rightmost)
    {
        byte[] pbuf = parent.Buffer;
        uint leafId = Node.ChildAt(pbuf, i);
        // The separator the parent still has to take: (left child | separator) at position `at`, at + 1 -> the split's right page.
        int at = i;
        uint leftChild = leafId;
        Split split;
        using (PageRef leaf = _pager.Get(leafId))
        {
            if (rightmost && o.Slot == Node.Count(leaf.Buffer))
            {
                split = SplitLeaf(leaf, o, append: true);
            }
            else
            {
                (int s, PageRef pinned) = PinRoomierSibling(pbuf, i);
                using PageRef sibling = pinned;
                (PageRef left, PageRef right) = s < i ? (sibling, leaf) : (leaf, sibling);
                int p = Math.Min(s, i); // the separator cell between left and right
                var pair = new LeafPair(left.Buffer, right.Buffer, o.Cell, s < i ? Node.Count(sibling.Buffer) + o.Slot : o.Slot);
                if (TryShift(pbuf, p, left, right, pair))
                {
                    return null;
                }
                if (TrySplitTwoIntoThree(pbuf, p, left, right, pair) is { } third)
                {
                    (at, leftChild, split) = (p + 1, right.PageId, third);
                }
                else
                {
                    split = SplitLeaf(leaf, o, append: false);
                }
            }
        }
        return InsertSeparator(parent, at, leftChild, split);
    }

    /// <summary>Pins the neighbour of child <paramref name="i"/> with more free bytes (a parent has at least two children); returns its routing position too.</summary>
    private (int Position, PageRef Page) PinRoomierSibling(byte[] pbuf, int i)
    {
        int n = Node.Count(pbuf);
        if (i == 0 || i == n)
        {
            int only = i == 0 ? 1 : n - 1;
            return (only, _pager.Get(Node.ChildAt(pbuf, only)));
        }
        PageRef left = _pager.Get(Node.ChildAt(pbuf, i - 1));
        PageRef right = _pager.Get(Node.ChildAt(pbuf, i + 1));
        if (Node.UsedBytes(right.Buffer) < Node.UsedBytes(left.Buffer))
        {
            left.Dispose();
            return (i + 1, right);
        }
        right.Dispose();
        return (i - 1, left);
    }

    /// <summary>Step 2 of <see cref="PlaceOverfullCell"/>: evens out the two leaves across their boundary; false, changing nothing, when it cannot.</summary>
    private bool TryShift(byte[] pbuf, int p, PageRef left, PageRef right, LeafPair pair)
    {
        (int m, int leftBytes) = pair.Cut(1, pair.Count - 1, pair.Total, 2);
        if (!IsLeafFill(leftBytes) || !IsLeafFill(pair.Total - leftBytes))
        {
            return false;
        }
        byte[] separator = pair.Key(m).ToArray();
        if (!FitsReplacingSeparator(pbuf, p, separator.Length))
        {
            return false;
        }
        left.MarkDirty();
        right.MarkDirty();
        pair.MoveBoundary(m);
        ReplaceSeparator(pbuf, p, separator);
        return true;
    }

    /// <summary>
    /// Step 3 of <see cref="PlaceOverfullCell"/>: rewrites left and right as the first two thirds, a new leaf
    /// after them as the last, and the separator between left and right; returns the split (new separator, new
    /// leaf) the parent must insert after right. Null, changing nothing, when it cannot.
    /// </summary>
    private Split? TrySplitTwoIntoThree(byte[] pbuf, int p, PageRef left, PageRef right, LeafPair pair)
    {
        int n = pair.Count, total = pair.Total;
        if (n < 3)
        {
            return null;
        }
        (int m1, int first3) = pair.Cut(1, n - 2, total, 3);
        (int m2, int firstTwo3) = pair.Cut(m1 + 1, n - 1, 2 * total, 3);
        if (!IsLeafFill(first3) || !IsLeafFill(firstTwo3 - first3) || !IsLeafFill(total - firstTwo3))
        {
            return null;
        }
        byte[] first = pair.Key(m1).ToArray();
        if (!FitsReplacingSeparator(pbuf, p, first.Length))
        {
            return null;
        }
        byte[] second = pair.Key(m2).ToArray();
        uint next = Node.Link(right.Buffer);
        left.MarkDirty();
        right.MarkDirty();
        // Read the cells from copies, since left and right are rewritten.
        var cells = new LeafPair(left.Buffer.AsSpan().ToArray(), right.Buffer.AsSpan().ToArray(), pair.NewCell, pair.NewAt);
        using PageRef third = _pager.Allocate();
        cells.WriteLeaf(left.Buffer, 0, m1, right.PageId);
        cells.WriteLeaf(right.Buffer, m1, m2, third.PageId);
        cells.WriteLeaf(third.Buffer, m2, n, next);
        third.MarkDirty();
        ReplaceSeparator(pbuf, p, first);
        return new Split(second, third.PageId);
    }

    /// <summary>A leaf of this many bytes of cells and slots fits in a node and keeps BT7's minimum fill.</summary>
    private bool IsLeafFill(int bytes) => bytes >= MinFillBytes && bytes <= Node.Capacity(_pager.PageSizeBytes);

    /// <summary>True when the separator cell at <paramref name="p"/> can be replaced by one with a key of <paramref name="keyLength"/> bytes in place.</summary>
    private static bool FitsReplacingSeparator(byte[] pbuf, int p, int keyLength) =>
        Node.ContiguousFree(pbuf) + Node.Garbage(pbuf) + Node.CellSize(pbuf, p, leaf: false) >= Node.InteriorCellSize(keyLength);

    /// <summary>Replaces the key of separator cell <paramref name="p"/>, keeping its child. Caller checked <see cref="FitsReplacingSeparator"/>.</summary>
    private static void ReplaceSeparator(byte[] pbuf, int p, byte[] key)
    {
        uint child = Node.Child(pbuf, p);
        Node.RemoveCell(pbuf, p, leaf: false);
        Node.InsertInteriorCell(pbuf, p, child, key);
    }

    /// <summary>
    /// The cells of two adjacent leaves in key order with a new cell among them: Q = cells of Left, then of Right,
    /// with <see cref="NewCell"/> inserted at index <see cref="NewAt"/>. Reads the pages in place (no copies)
    /// until <see cref="MoveBoundary"/> changes them.
    /// </summary>
    private readonly struct LeafPair(byte[] left, byte[] right, byte[] newCell, int newAt)
    {
        private readonly int _leftCount = Node.Count(left);

        private readonly int _leftBytes = Node.UsedBytes(left);

        public byte[] NewCell => newCell;

        public int NewAt => newAt;

        public int Count => _leftCount + Node.Count(right) + 1;

        /// <summary>Bytes of all of Q, cells plus slots.</summary>
        public int Total { get; } = Node.UsedBytes(left) + Node.UsedBytes(right) + newCell.Length + 2;

        public ReadOnlySpan<byte> Cell(int k)
        {
            if (k == newAt)
            {
                return newCell;
            }
            int old = k < newAt ? k : k - 1;
            return old < _leftCount ? Node.Cell(left, old, leaf: true) : Node.Cell(right, old - _leftCount, leaf: true);
        }

        public ReadOnlySpan<byte> Key(int k) => Node.LeafCellKey(Cell(k));

        /// <summary>
        /// The cut m in [<paramref name="from"/>, <paramref name="to"/>] whose bytes of Q[0, m) come closest to
        /// <paramref name="numerator"/> / <paramref name="denominator"/>, with those bytes. Walks from the pages'
        /// current boundary, so a shift reads only the cells that cross it.
        /// </summary>
        public (int M, int Bytes) Cut(int from, int to, int numerator, int denominator)
        {
            int m = newAt < _leftCount ? _leftCount + 1 : _leftCount;
            int bytes = _leftBytes + (newAt < _leftCount ? newCell.Length + 2 : 0);
            for (; m < from; m++)
            {
                bytes += SlotBytes(m);
            }
            for (; m > to; m--)
            {
                bytes -= SlotBytes(m - 1);
            }
            // |bytes · denominator - numerator| falls then rises along Q, so step while it falls.
            while (m < to && Distance(bytes + SlotBytes(m)) < Distance(bytes))
            {
                bytes += SlotBytes(m++);
            }
            while (m > from && Distance(bytes - SlotBytes(m - 1)) < Distance(bytes))
            {
                bytes -= SlotBytes(--m);
            }
            return (m, bytes);

            long Distance(int b) => Math.Abs((long)b * denominator - numerator);
        }

        private int SlotBytes(int k) => Cell(k).Length + 2;

        /// <summary>Formats <paramref name="page"/> as a leaf holding Q[from, to) and right sibling <paramref name="link"/>. Caller checked they fit.</summary>
        public void WriteLeaf(byte[] page, int from, int to, uint link)
        {
            Node.Format(page, leaf: true);
            Node.SetLink(page, link);
            for (int k = from; k < to; k++)
            {
                Node.InsertRawCell(page, k - from, Cell(k));
            }
        }

        /// <summary>
        /// Makes Left hold Q[0, m) and Right Q[m, Count) by moving only the cells that cross the boundary, then
        /// inserting the new cell. Caller checked that both parts fit in a node.
        /// </summary>
        public void MoveBoundary(int m)
        {
            int oldOnLeft = newAt < m ? m - 1 : m; // cells already in the pages that end up in Left
            if (oldOnLeft > _leftCount)
            {
                int moving = oldOnLeft - _leftCount;
                for (int k = 0; k < moving; k++)
                {
                    Node.InsertRawCell(left, Node.Count(left), Node.Cell(right, k, leaf: true));
                }
                Node.RemoveCells(right, 0, moving, leaf: true);
            }
            else if (oldOnLeft < _leftCount)
            {
                int moving = _leftCount - oldOnLeft;
                for (int k = 0; k < moving; k++)
                {
                    Node.InsertRawCell(right, k, Node.Cell(left, oldOnLeft + k, leaf: true));
                }
                Node.RemoveCells(left, oldOnLeft, moving, leaf: true);
            }
            if (newAt < m)
            {
                Node.InsertRawCell(left, newAt, newCell);
            }
            else
            {
                Node.InsertRawCell(right, newAt - m, newCell);
            }
        }
    }
}
