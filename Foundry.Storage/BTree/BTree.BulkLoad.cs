namespace Foundry.Storage;

public sealed partial class BTree
{
    /// <summary>
    /// Loads an empty tree from entries in strictly ascending key order (CREATE INDEX, restore), building it
    /// bottom-up: leaves are filled completely left to right and linked as they are written, the last leaf is
    /// evened out with its left neighbour when it would be underfull (BT7), and each interior level is built
    /// the same way over the level below; the top node's contents move into the root page (BT10).
    /// Returns the number of entries loaded. Input that is not strictly ascending, or an entry over the size
    /// limits, throws a <see cref="StorageException"/> after freeing every page the load had allocated, so the
    /// tree is left empty and the file as it was (apart from pages now on the free list).
    /// </summary>
    public long BulkLoad(IEnumerable<(byte[] Key, byte[] Value)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ThrowIfDropped();
        using (PageRef root = _pager.Get(RootPageId))
        {
            if (!Node.IsLeaf(root.Buffer) || Node.Count(root.Buffer) != 0)
            {
                throw new InvalidOperationException($"BulkLoad needs an empty tree; the B+Tree rooted at page {RootPageId} has entries");
            }
        }
        var leaves = new List<(byte[] FirstKey, uint PageId)>();
        long count;
        try
        {
            count = LoadLeaves(entries, leaves);
        }
        catch
        {
            foreach ((_, uint pageId) in leaves)
            {
                FreeLeafAndValues(pageId);
            }
            throw;
        }
        if (count == 0)
        {
            return 0;
        }
        FixLastLeaf(leaves);
        List<(byte[] FirstKey, uint PageId)> level = leaves;
        while (level.Count > 1)
        {
            level = BuildInteriorLevel(level);
        }
        uint top = level[0].PageId;
        using (PageRef root = _pager.Get(RootPageId))
        using (PageRef node = _pager.Get(top))
        {
            root.MarkDirty();
            node.Buffer.CopyTo(root.Buffer, 0);
        }
        _pager.Free(top);
        return count;
    }

    /// <summary>Writes full, linked leaves; <paramref name="leaves"/> receives each leaf as soon as it is allocated.</summary>
    private long LoadLeaves(IEnumerable<(byte[] Key, byte[] Value)> entries, List<(byte[] FirstKey, uint PageId)> leaves)
    {
        PageRef current = default;
        bool pinned = false;
        byte[]? previous = null;
        long count = 0;
        try
        {
            foreach ((byte[] key, byte[] value) in entries)
            {
                ArgumentNullException.ThrowIfNull(key);
                ArgumentNullException.ThrowIfNull(value);
                if (previous is not null && key.AsSpan().SequenceCompareTo(previous) <= 0)
                {
                    throw new StorageException(
                        $"BulkLoad input is not sorted: entry {count} has key {Convert.ToHexString(key)}, not greater than the previous key {Convert.ToHexString(previous)}; nothing was loaded");
                }
                CheckEntrySize(key, value);
                byte[] cell = BuildLeafCell(key, value);
                if (!pinned || !Node.Fits(current.Buffer, cell.Length))
                {
                    PageRef next = _pager.Allocate();
                    Node.Format(next.Buffer, leaf: true);
                    leaves.Add((key, next.PageId));
                    if (pinned)
                    {
                        Node.SetLink(current.Buffer, next.PageId);
                        current.Dispose();
                    }
                    current = next;
                    pinned = true;
                }
                Node.InsertRawCell(current.Buffer, Node.Count(current.Buffer), cell);
                previous = key;
                count++;
            }
        }
        finally
        {
            if (pinned)
            {
                current.Dispose();
            }
        }
        return count;
    }

    /// <summary>BT7 for the last leaf: merged into or evened out with its left neighbour when underfull.</summary>
    private void FixLastLeaf(List<(byte[] FirstKey, uint PageId)> leaves)
    {
        if (leaves.Count < 2)
        {
            return;
        }
        uint lastId = leaves[^1].PageId;
        byte[]? separator;
        using (PageRef last = _pager.Get(lastId))
        {
            if (Node.UsedBytes(last.Buffer) >= MinFillBytes)
            {
                return;
            }
            using PageRef left = _pager.Get(leaves[^2].PageId);
            left.MarkDirty();
            last.MarkDirty();
            separator = RebalanceLeaves(left, last);
        }
        if (separator is null)
        {
            leaves.RemoveAt(leaves.Count - 1);
            _pager.Free(lastId);
        }
        else
        {
            leaves[^1] = (separator, lastId);
        }
    }

    /// <summary>
    /// One interior level over <paramref name="below"/>: nodes are filled greedily (the first key of each node's
    /// first child moves up instead of being stored), and the last two are rebalanced when the last is underfull.
    /// </summary>
    private List<(byte[] FirstKey, uint PageId)> BuildInteriorLevel(List<(byte[] FirstKey, uint PageId)> below)
    {
        int capacity = Node.Capacity(_pager.PageSizeBytes);
        var groups = new List<(int From, int To)>(); // children [From, To)
        int start = 0, used = 0;
        for (int j = 1; j < below.Count; j++)
        {
            int size = SeparatorBytes(below[j].FirstKey);
            if (used + size > capacity)
            {
                groups.Add((start, j));
                start = j;
                used = 0;
            }
            else
            {
                used += size;
            }
        }
        groups.Add((start, below.Count));
        if (groups.Count >= 2 && used < MinFillBytes)
        {
            // Keys of the last two groups, with the key between them in the middle; re-split by bytes.
            int from = groups[^2].From;
            var keys = new List<byte[]>();
            for (int j = from + 1; j < below.Count; j++)
            {
                keys.Add(below[j].FirstKey);
            }
            int total = 0;
            foreach (byte[] k in keys)
            {
                total += SeparatorBytes(k);
            }
            groups.RemoveRange(groups.Count - 2, 2);
            if (total <= capacity)
            {
                groups.Add((from, below.Count));
            }
            else
            {
                int m = InteriorSplitPoint(keys); // keys[m] = below[from + 1 + m].FirstKey moves up
                groups.Add((from, from + 1 + m));
                groups.Add((from + 1 + m, below.Count));
            }
        }
        var level = new List<(byte[] FirstKey, uint PageId)>(groups.Count);
        foreach ((int from, int to) in groups)
        {
            using PageRef page = _pager.Allocate();
            var keys = new List<byte[]>(to - from);
            var children = new List<uint>(to - from);
            for (int j = from; j < to; j++)
            {
                children.Add(below[j].PageId);
                if (j > from)
                {
                    keys.Add(below[j].FirstKey);
                }
            }
            WriteInterior(page.Buffer, keys, children, 0, keys.Count, page.PageId);
            page.MarkDirty();
            level.Add((below[from].FirstKey, page.PageId));
        }
        return level;
    }

    /// <summary>Frees a leaf written by a failed bulk load, with its overflow chains.</summary>
    private void FreeLeafAndValues(uint pageId)
    {
        using (PageRef leaf = _pager.Get(pageId))
        {
            FreeOverflowChains(leaf.Buffer);
        }
        _pager.Free(pageId);
    }
}
