using System.Buffers;

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
                int s = RoomierSibling(pbuf, i);
                using PageRef sibling = _pager.Get(Node.ChildAt(pbuf, s));
                (PageRef left, PageRef right) = s < i ? (sibling, leaf) : (leaf, sibling);
                int p = Math.Min(s, i); // the separator cell between left and right
                var pair = new LeafPair(left.Buffer, right.Buffer, o.Cell, s < i ? Node.Count(sibling.Buffer) + o.Slot : o.Slot);
                int[] prefix = pair.PrefixBytes();
                try
                {
                    if (TryShift(pbuf, p, left, right, pair, prefix))
                    {
                        return null;
                    }
                    if (TrySplitTwoIntoThree(pbuf, p, left, right, pair, prefix) is { } third)
                    {
                        (at, leftChild, split) = (p + 1, right.PageId, third);
                    }
                    else
                    {
                        split = SplitLeaf(leaf, o, append: false);
                    }
                }
                finally
                {
                    ArrayPool<int>.Shared.Return(prefix);
                }
            }
        }
        return InsertSeparator(parent, at, leftChild, split);
    }

    /// <summary>Routing position of the neighbour of child <paramref name="i"/> with more free bytes (a parent has at least two children).</summary>
    private int RoomierSibling(byte[] pbuf, int i)
    {
        int n = Node.Count(pbuf);
        if (i == 0 || i == n)
        {
            return i == 0 ? 1 : n - 1;
        }
        int leftUsed, rightUsed;
        using (PageRef left = _pager.Get(Node.ChildAt(pbuf, i - 1)))
        {
            leftUsed = Node.UsedBytes(left.Buffer);
        }
        using (PageRef right = _pager.Get(Node.ChildAt(pbuf, i + 1)))
        {
            rightUsed = Node.UsedBytes(right.Buffer);
        }
        return rightUsed < leftUsed ? i + 1 : i - 1;
    }

    /// <summary>Step 2 of <see cref="PlaceOverfullCell"/>: evens out the two leaves across their boundary; false, changing nothing, when it cannot.</summary>
    private bool TryShift(byte[] pbuf, int p, PageRef left, PageRef right, LeafPair pair, int[] prefix)
    {
        int n = pair.Count, total = prefix[n];
        int m = ClosestPoint(prefix, 1, n - 1, total, 2);
        if (!IsLeafFill(prefix[m]) || !IsLeafFill(total - prefix[m]))
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
    private Split? TrySplitTwoIntoThree(byte[] pbuf, int p, PageRef left, PageRef right, LeafPair pair, int[] prefix)
    {
        int n = pair.Count, total = prefix[n];
        if (n < 3)
        {
            return null;
        }
        int m1 = ClosestPoint(prefix, 1, n - 2, total, 3);
        int m2 = ClosestPoint(prefix, m1 + 1, n - 1, 2 * total, 3);
        if (!IsLeafFill(prefix[m1]) || !IsLeafFill(prefix[m2] - prefix[m1]) || !IsLeafFill(total - prefix[m2]))
        {
            return null;
        }
        byte[] first = pair.Key(m1).ToArray();
        if (!FitsReplacingSeparator(pbuf, p, first.Length))
        {
            return null;
        }
        byte[] second = pair.Key(m2).ToArray();
        List<byte[]> cells = pair.ToList();
        uint next = Node.Link(right.Buffer);
        left.MarkDirty();
        right.MarkDirty();
        using PageRef third = _pager.Allocate();
        WriteLeaf(left.Buffer, cells, 0, m1, right.PageId, left.PageId);
        WriteLeaf(right.Buffer, cells, m1, m2, third.PageId, right.PageId);
        WriteLeaf(third.Buffer, cells, m2, n, next, third.PageId);
        third.MarkDirty();
        ReplaceSeparator(pbuf, p, first);
        return new Split(second, third.PageId);
    }

    /// <summary>A leaf of this many bytes of cells and slots fits in a node and keeps BT7's minimum fill.</summary>
    private bool IsLeafFill(int bytes) => bytes >= MinFillBytes && bytes <= Node.Capacity(_pager.PageSizeBytes);

    /// <summary>
    /// m in [<paramref name="from"/>, <paramref name="to"/>] whose prefix[m] is closest to numerator / denominator
    /// (prefix is ascending). <paramref name="from"/> is returned when the range is empty.
    /// </summary>
    private static int ClosestPoint(int[] prefix, int from, int to, int numerator, int denominator)
    {
        int best = from;
        long bestDiff = long.MaxValue;
        for (int m = from; m <= to; m++)
        {
            long diff = Math.Abs((long)prefix[m] * denominator - numerator);
            if (diff >= bestDiff)
            {
                break; // prefix ascends, so the distance only grows from here
            }
            best = m;
            bestDiff = diff;
        }
        return best;
    }

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

        public byte[] NewCell => newCell;

        public int NewAt => newAt;

        public int Count => _leftCount + Node.Count(right) + 1;

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

        /// <summary>prefix[k] = bytes (cells plus slots) of Q[0, k), for k in [0, Count]; rented from the shared pool, which gets it back.</summary>
        public int[] PrefixBytes()
        {
            int n = Count;
            int[] prefix = ArrayPool<int>.Shared.Rent(n + 1);
            prefix[0] = 0;
            for (int k = 0; k < n; k++)
            {
                prefix[k + 1] = prefix[k] + Cell(k).Length + 2;
            }
            return prefix;
        }

        public List<byte[]> ToList()
        {
            var cells = new List<byte[]>(Count);
            for (int k = 0; k < Count; k++)
            {
                cells.Add(Cell(k).ToArray());
            }
            return cells;
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
