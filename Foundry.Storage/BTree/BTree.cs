using System.Diagnostics.CodeAnalysis;

namespace Foundry.Storage;

/// <summary>
/// B+Tree mapping byte-string keys to byte-string values, stored in <see cref="Pager"/> pages with the
/// slotted layout of <see cref="Node"/>. Keys compare with ordinal byte comparison (memcmp, then length).
///
/// Invariants (checked by <see cref="Validate"/>, whose messages cite these numbers):
///
///  - BT1 Every page reachable from the root is a B+Tree node page (type BTreeLeaf or BTreeInterior,
///        current format version) and is reached exactly once (no cycles, no shared pages).
///  - BT2 Node space accounting is exact: the slot array ends at or before cell content start, every cell
///        lies in [content start, page size), no two cells overlap, and the cell bytes plus garbage bytes
///        equal page size minus content start.
///  - BT3 Keys within a node are strictly ascending.
///  - BT4 Separators bound their children: every key in the subtree of child ci lies in [k(i-1), ki)
///        (the rightmost child: [k(n-1), upper bound of the node)).
///  - BT5 All leaves are at the same depth (the tree is balanced).
///  - BT6 The leaf chain is complete: right-sibling links, from the leftmost leaf, visit exactly the
///        leaves in left-to-right order and the last leaf's link is 0.
///  - BT7 Every interior node holds at least one key. Leaves may be empty: Delete removes from the leaf
///        without merging (merge and redistribution come later), so there is no minimum fill yet.
///  - BT8 Every entry's key length plus value length is at most <see cref="MaxEntryBytes"/>.
///  - BT9 The root page id never changes for the tree's life: a root split moves the root's contents into
///        two new children and turns the root into an interior node above them.
///
/// Not thread-safe. Modifying the tree invalidates open cursors (re-Seek after a modification).
/// </summary>
public sealed partial class BTree
{
    private readonly Pager _pager;
    private bool _dropped;

    public BTree(Pager pager, uint rootPageId)
    {
        ArgumentNullException.ThrowIfNull(pager);
        _pager = pager;
        RootPageId = rootPageId;
        using PageRef root = pager.Get(rootPageId);
        PageType type = root.PageType;
        if (type is not (PageType.BTreeLeaf or PageType.BTreeInterior))
        {
            throw new StorageException(
                $"page {rootPageId} of '{pager.Path}' is not a B+Tree root: its type is {type}, expected BTreeLeaf or BTreeInterior");
        }
    }

    /// <summary>Allocates an empty root leaf and returns its page id.</summary>
    public static uint Create(Pager pager)
    {
        ArgumentNullException.ThrowIfNull(pager);
        using PageRef page = pager.Allocate();
        Node.Format(page.Buffer, leaf: true);
        page.MarkDirty();
        return page.PageId;
    }

    public uint RootPageId { get; }

    public Pager Pager => _pager;

    /// <summary>Largest key length plus value length accepted: a quarter of the usable page. Larger entries need overflow pages (a later issue).</summary>
    public int MaxEntryBytes => (_pager.PageSizeBytes - PageHeader.Size) / 4;

    /// <summary>Levels from the root to the leaves; 1 for a tree that is a single leaf.</summary>
    public int Depth
    {
        get
        {
            ThrowIfDropped();
            int depth = 1;
            uint id = RootPageId;
            while (true)
            {
                using PageRef page = _pager.Get(id);
                if (Node.IsLeaf(page.Buffer))
                {
                    return depth;
                }
                id = Node.ChildAt(page.Buffer, 0);
                depth++;
            }
        }
    }

    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value)
    {
        ThrowIfDropped();
        using PageRef leaf = FindLeaf(key);
        int slot = Node.LowerBound(leaf.Buffer, key, leaf: true, out bool found);
        value = found ? Node.LeafValue(leaf.Buffer, slot).ToArray() : [];
        return found;
    }

    public BTreeCursor OpenCursor()
    {
        ThrowIfDropped();
        return new BTreeCursor(this);
    }

    /// <summary>Counts entries by walking the leaf chain.</summary>
    public long CountEntries()
    {
        ThrowIfDropped();
        long count = 0;
        uint id = LeftmostLeaf();
        while (id != 0)
        {
            using PageRef page = _pager.Get(id);
            count += Node.Count(page.Buffer);
            id = Node.Link(page.Buffer);
        }
        return count;
    }

    /// <summary>Frees every page of the tree, root included. The tree must not be used afterwards.</summary>
    public void Drop()
    {
        ThrowIfDropped();
        FreeSubtree(RootPageId);
        _dropped = true;
    }

    private void FreeSubtree(uint pageId)
    {
        var children = new List<uint>();
        using (PageRef page = _pager.Get(pageId))
        {
            if (!Node.IsLeaf(page.Buffer))
            {
                int n = Node.Count(page.Buffer);
                for (int i = 0; i <= n; i++)
                {
                    children.Add(Node.ChildAt(page.Buffer, i));
                }
            }
        }
        foreach (uint child in children)
        {
            FreeSubtree(child);
        }
        _pager.Free(pageId);
    }

    /// <summary>The pinned leaf whose key range contains <paramref name="key"/>.</summary>
    internal PageRef FindLeaf(ReadOnlySpan<byte> key)
    {
        PageRef page = _pager.Get(RootPageId);
        while (!Node.IsLeaf(page.Buffer))
        {
            uint child = Node.ChildAt(page.Buffer, Node.Route(page.Buffer, key));
            page.Dispose();
            page = _pager.Get(child);
        }
        return page;
    }

    internal uint LeftmostLeaf()
    {
        uint id = RootPageId;
        while (true)
        {
            using PageRef page = _pager.Get(id);
            if (Node.IsLeaf(page.Buffer))
            {
                return id;
            }
            id = Node.ChildAt(page.Buffer, 0);
        }
    }

    internal void ThrowIfDropped()
    {
        if (_dropped)
        {
            ThrowDropped();
        }
    }

    [DoesNotReturn]
    private void ThrowDropped() =>
        throw new InvalidOperationException($"the B+Tree rooted at page {RootPageId} was dropped");
}
