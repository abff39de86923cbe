using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Foundry.Storage;

/// <summary>
/// B+Tree mapping byte-string keys to byte-string values, stored in <see cref="Pager"/> pages with the
/// slotted layout of <see cref="Node"/>. Keys compare with ordinal byte comparison (memcmp, then length).
/// C = PageSizeBytes - 32 is a node's capacity for cells plus their 2-byte slots; a node's fill is the
/// bytes it spends on live cells and slots (<see cref="Node.UsedBytes"/>). A leaf that cannot take a new
/// cell first shifts cells to a sibling, then splits 2-into-3, and only then in two; ascending inserts leave
/// full nodes behind (<see cref="PlaceOverfullCell"/>, BTree.Overfull.cs).
///
/// Invariants (checked by <see cref="Validate"/>, whose messages start with these numbers):
///
///  - BT1 Every page reachable from the root is a B+Tree node page (type BTreeLeaf or BTreeInterior,
///        current format version) and is reached exactly once (no cycles, no shared pages).
///  - BT2 Node space accounting is exact: the slot array ends at or before cell content start, every cell
///        lies in [content start, page size) with its lengths in their shortest form, no two cells overlap,
///        and the cell bytes plus garbage bytes equal page size minus content start.
///  - BT3 Keys are sorted within a node: strictly ascending.
///  - BT4 Separators bound their children: every key in the subtree of child ci lies in [k(i-1), ki)
///        (the rightmost child: [k(n-1), upper bound of the node)). With BT3 this sorts keys across nodes.
///  - BT5 All leaves are at the same depth (the tree is balanced).
///  - BT6 The leaf chain equals the in-order leaf sequence: right-sibling links, from the leftmost leaf,
///        visit exactly the leaves in left-to-right order and the last leaf's link is 0. (There is no left
///        link; the cursor moves backwards by descending from the root.)
///  - BT7 Fill: every non-root node uses at least <see cref="MinFillBytes"/> (C / 4) bytes, except the last
///        node of each level (on the root's rightmost path), which may use less so that ascending inserts
///        can leave the node before it full (see <see cref="PlaceOverfullCell"/>); every interior node holds
///        at least one key; only the root leaf may be empty. Kept by merging or redistributing an underfull
///        node with a sibling (for the last node of a level: an empty one), and by collapsing a root left
///        with a single child.
///  - BT8 Size limits: keys are at most <see cref="MaxKeyBytes"/> (C / 4 - 8); a leaf cell's key plus
///        payload is at most <see cref="MaxEntryBytes"/>. These make BT7 reachable: any node content larger
///        than C splits into two halves of at least C / 4 each. A value goes to overflow pages exactly when
///        key plus value exceeds MaxEntryBytes; its cell then holds the total length, the first overflow page
///        and a prefix that fills the cell to MaxEntryBytes.
///  - BT9 Every key is reachable: searching from the root for the first and for the last key of each leaf
///        arrives at that leaf (routing is monotone, so every key between them does too).
///  - BT10 The root page id never changes for the tree's life: a root split moves the root's contents into
///        a new child, and a root collapse moves its only child's contents into the root page.
///  - BT11 (file level, <see cref="Pager.Validate(IReadOnlyCollection{uint})"/>) live pages plus free pages
///        equal the file's pages: every page 1 … PageCount-1 is reachable from exactly one tree root given
///        (the catalog included) or is on the free list, never both.
///  - BT12 Every overflow chain belongs to exactly one leaf cell: its pages have type Overflow, each is reached
///        once, every page but the last is full, the used bytes add up to the value length minus the prefix,
///        and the last page links to 0.
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

    /// <summary>Largest key length plus value length stored inside a leaf, a quarter of the usable page (BT8); longer values go to overflow pages.</summary>
    public int MaxEntryBytes => (_pager.PageSizeBytes - PageHeader.Size) / 4;

    /// <summary>Largest value accepted: 1 GiB (values are materialised in one array when read).</summary>
    public const int MaxValueBytes = 1 << 30;

    /// <summary>Largest key accepted (BT8): C / 4 - 8, so that an interior split leaves both halves at least C / 4 full.</summary>
    public int MaxKeyBytes => Node.Capacity(_pager.PageSizeBytes) / 4 - 8;

    /// <summary>Least fill of a non-root node, in bytes of cells plus slots (BT7): a quarter of the node capacity.</summary>
    public int MinFillBytes => Node.Capacity(_pager.PageSizeBytes) / 4;

    /// <summary>
    /// No valid tree is deeper: page ids are 32-bit and every interior node has at least two children, so
    /// a valid tree has at most 33 levels. A descent that goes deeper is walking a cycle of interior pages
    /// in a corrupt file, and stops with an error instead of looping (see <see cref="CheckDescent"/>).
    /// </summary>
    internal const int MaxDepth = 64;

    /// <summary>Levels from the root to the leaves; 1 for a tree that is a single leaf.</summary>
    public int Depth
    {
        get
        {
            ThrowIfDropped();
            return LeftmostPath().Depth;
        }
    }

    /// <summary>Throws when a descent from the root reaches level <paramref name="depth"/> &gt; <see cref="MaxDepth"/>.</summary>
    internal void CheckDescent(int depth)
    {
        if (depth > MaxDepth)
        {
            throw new StorageException(
                $"B+Tree rooted at page {RootPageId} of '{_pager.Path}' is corrupt: a search from the root went deeper than {MaxDepth} levels, so its interior pages form a cycle; run 'foundry check'");
        }
    }

    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value)
    {
        ThrowIfDropped();
        using PageRef leaf = FindLeaf(key);
        int slot = Node.LowerBound(leaf.Buffer, key, leaf: true, out bool found);
        if (!found)
        {
            value = [];
            return false;
        }
        value = new byte[ValueLength(leaf.Buffer, slot)];
        ReadValue(leaf.Buffer, slot, value);
        return true;
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

    /// <summary>Capacity C of a node for cells plus their 2-byte slots: the page minus the 32-byte node header.</summary>
    public int NodeCapacityBytes => Node.Capacity(_pager.PageSizeBytes);

    /// <summary>
    /// Bytes each node <paramref name="level"/> levels above the leaves (0 = the leaves, Depth - 1 = the root)
    /// spends on live cells plus slots — the fill measure of BT7 — left to right. For tests and diagnostics.
    /// </summary>
    public IReadOnlyList<int> UsedBytesAtLevel(int level)
    {
        ThrowIfDropped();
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        var used = new List<int>();
        int depth = Depth;
        if (level < depth)
        {
            CollectUsedBytes(RootPageId, depth - 1 - level, used);
        }
        return used;
    }

    private void CollectUsedBytes(uint pageId, int levelsDown, List<int> used)
    {
        using PageRef page = _pager.Get(pageId);
        if (levelsDown == 0)
        {
            used.Add(Node.UsedBytes(page.Buffer));
            return;
        }
        int n = Node.Count(page.Buffer);
        for (int i = 0; i <= n; i++)
        {
            CollectUsedBytes(Node.ChildAt(page.Buffer, i), levelsDown - 1, used);
        }
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
            if (Node.IsLeaf(page.Buffer))
            {
                FreeOverflowChains(page.Buffer);
            }
            else
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

    /// <summary>Length of the value at <paramref name="slot"/> of a leaf, inline or in overflow pages.</summary>
    internal static int ValueLength(byte[] leaf, int slot)
    {
        Node.LeafCellLayout cell = Node.LeafCell(leaf, slot);
        return cell.Overflow ? OverflowTotalLength(leaf, cell) : cell.PayloadLength;
    }

    /// <summary>The whole length of an overflow cell's value (its first payload field).</summary>
    internal static int OverflowTotalLength(byte[] leaf, Node.LeafCellLayout cell) =>
        (int)BinaryPrimitives.ReadUInt32LittleEndian(leaf.AsSpan(cell.PayloadOffset));

    /// <summary>Copies the whole value at <paramref name="slot"/> into <paramref name="destination"/> (exactly its length), following the overflow chain when there is one.</summary>
    internal void ReadValue(byte[] leaf, int slot, Span<byte> destination)
    {
        if (!Node.IsOverflow(leaf, slot))
        {
            Node.LeafValue(leaf, slot).CopyTo(destination);
            return;
        }
        ReadOnlySpan<byte> prefix = Node.OverflowPrefix(leaf, slot);
        prefix.CopyTo(destination);
        OverflowChain.Read(_pager, Node.OverflowFirstPage(leaf, slot), destination[prefix.Length..]);
    }

    /// <summary>Frees the overflow chains of every cell of a leaf (the leaf itself is freed by the caller).</summary>
    private void FreeOverflowChains(byte[] leaf)
    {
        int n = Node.Count(leaf);
        for (int i = 0; i < n; i++)
        {
            if (Node.IsOverflow(leaf, i))
            {
                OverflowChain.Free(_pager, Node.OverflowFirstPage(leaf, i));
            }
        }
    }

    /// <summary>The pinned leaf whose key range contains <paramref name="key"/>.</summary>
    internal PageRef FindLeaf(ReadOnlySpan<byte> key)
    {
        PageRef page = _pager.Get(RootPageId);
        int depth = 1;
        while (!Node.IsLeaf(page.Buffer))
        {
            uint child = Node.ChildAt(page.Buffer, Node.Route(page.Buffer, key));
            page.Dispose();
            CheckDescent(++depth);
            page = _pager.Get(child);
        }
        return page;
    }

    internal uint LeftmostLeaf() => LeftmostPath().Leaf;

    /// <summary>The leftmost leaf and its level (1 for a root leaf), reached by always taking the first child.</summary>
    private (uint Leaf, int Depth) LeftmostPath()
    {
        uint id = RootPageId;
        for (int depth = 1; ; depth++)
        {
            CheckDescent(depth);
            using PageRef page = _pager.Get(id);
            if (Node.IsLeaf(page.Buffer))
            {
                return (id, depth);
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
