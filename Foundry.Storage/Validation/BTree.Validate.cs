using System.Buffers.Binary;

namespace Foundry.Storage;

public sealed partial class BTree
{
    /// <summary>
    /// Checks the numbered invariants BT1–BT10 (see the top of BTree.cs) over the whole tree and returns
    /// one message per violation, each citing its invariant and page; empty when the tree is sound.
    /// Reads pages only; never throws for a malformed tree (a corrupt page is reported as a violation).
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        ThrowIfDropped();
        var errors = new List<string>();
        ValidateInto(new HashSet<uint>(), errors);
        return errors;
    }

    /// <summary>Validates into <paramref name="errors"/>, adding every page the tree owns to <paramref name="pages"/> (for BT11).</summary>
    internal void ValidateInto(HashSet<uint> pages, List<string> errors)
    {
        var v = new Validator(this, pages, errors);
        try
        {
            v.Visit(RootPageId, depth: 1, lower: null, upper: null, rightmost: true);
            v.CheckLeafChain();
            v.CheckReachability();
        }
        catch (StorageException ex)
        {
            errors.Add($"BT1 the tree rooted at {RootPageId} could not be walked to the end (an unreadable page, or a cycle): {ex.Message}");
        }
    }

    private sealed class Validator(BTree tree, HashSet<uint> visited, List<string> errors)
    {
        private readonly HashSet<uint> _visited = visited;
        private readonly List<uint> _leaves = new();
        private readonly List<(byte[] First, byte[] Last)> _leafBounds = new();
        private int _leafDepth = -1;

        public List<string> Errors { get; } = errors;

        /// <summary>Checks the subtree at <paramref name="pageId"/>; <paramref name="rightmost"/> when it is the last node of its level.</summary>
        public void Visit(uint pageId, int depth, byte[]? lower, byte[]? upper, bool rightmost)
        {
            if (Inspect(pageId, depth, lower, upper, rightmost) is not var (children, keys))
            {
                return;
            }
            int n = keys.Length;
            for (int i = 0; i <= n; i++)
            {
                Visit(children[i], depth + 1, i == 0 ? lower : keys[i - 1], i == n ? upper : keys[i], rightmost && i == n);
            }
        }

        /// <summary>Checks one node; returns its children and separators when it is a readable interior node.</summary>
        private (uint[] Children, byte[][] Keys)? Inspect(uint pageId, int depth, byte[]? lower, byte[]? upper, bool rightmost)
        {
            if (!_visited.Add(pageId))
            {
                Errors.Add($"BT1 page {pageId} is reached more than once (cycle or shared child)");
                return null;
            }
            if (pageId == 0 || pageId >= tree._pager.PageCount)
            {
                Errors.Add($"BT1 child page id {pageId} is out of range (page count {tree._pager.PageCount})");
                return null;
            }
            using PageRef page = tree._pager.Get(pageId);
            byte[] buf = page.Buffer;
            PageType type = PageHeader.GetPageType(buf);
            if (type is not (PageType.BTreeLeaf or PageType.BTreeInterior) || PageHeader.GetVersion(buf) != PageHeader.FormatVersion)
            {
                Errors.Add($"BT1 page {pageId} has type {type} version {PageHeader.GetVersion(buf)}, expected a B+Tree node of version {PageHeader.FormatVersion}");
                return null;
            }
            bool leaf = type == PageType.BTreeLeaf;
            if (!CheckSpace(pageId, buf, leaf))
            {
                return null;
            }
            int n = Node.Count(buf);
            for (int i = 1; i < n; i++)
            {
                if (Node.Key(buf, i - 1, leaf).SequenceCompareTo(Node.Key(buf, i, leaf)) >= 0)
                {
                    Errors.Add($"BT3 page {pageId}: key at slot {i - 1} ({Hex(Node.Key(buf, i - 1, leaf))}) is not below key at slot {i} ({Hex(Node.Key(buf, i, leaf))})");
                }
            }
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<byte> key = Node.Key(buf, i, leaf);
                if ((lower is not null && key.SequenceCompareTo(lower) < 0) || (upper is not null && key.SequenceCompareTo(upper) >= 0))
                {
                    Errors.Add($"BT4 page {pageId}: key {Hex(key)} at slot {i} is outside its parent's bounds [{(lower is null ? "-inf" : Hex(lower))}, {(upper is null ? "+inf" : Hex(upper))})");
                }
                if (key.Length > tree.MaxKeyBytes)
                {
                    Errors.Add($"BT8 page {pageId}: key at slot {i} has {key.Length} bytes, limit {tree.MaxKeyBytes}");
                }
                if (leaf && Node.LeafCell(buf, i) is var cell && cell.KeyLength + cell.PayloadLength > tree.MaxEntryBytes)
                {
                    Errors.Add($"BT8 page {pageId}: entry at slot {i} has {cell.KeyLength + cell.PayloadLength} bytes in the leaf, limit {tree.MaxEntryBytes}");
                }
                if (leaf && Node.IsOverflow(buf, i))
                {
                    CheckOverflow(pageId, buf, i);
                }
            }
            bool isRoot = pageId == tree.RootPageId;
            if (!isRoot && !rightmost && Node.UsedBytes(buf) < tree.MinFillBytes)
            {
                Errors.Add($"BT7 {(leaf ? "leaf" : "interior")} page {pageId} uses {Node.UsedBytes(buf)} bytes, below the minimum fill {tree.MinFillBytes}");
            }
            if (leaf)
            {
                if (_leafDepth < 0)
                {
                    _leafDepth = depth;
                }
                else if (_leafDepth != depth)
                {
                    Errors.Add($"BT5 leaf page {pageId} is at depth {depth}, other leaves at depth {_leafDepth}");
                }
                _leaves.Add(pageId);
                if (n > 0)
                {
                    _leafBounds.Add((Node.Key(buf, 0, leaf: true).ToArray(), Node.Key(buf, n - 1, leaf: true).ToArray()));
                }
                else
                {
                    _leafBounds.Add(([], []));
                    if (!isRoot)
                    {
                        Errors.Add($"BT7 leaf page {pageId} is empty and is not the root");
                    }
                }
                return null;
            }
            if (n == 0)
            {
                Errors.Add($"BT7 interior page {pageId} has no keys");
            }
            var children = new uint[n + 1];
            var keys = new byte[n][];
            for (int i = 0; i <= n; i++)
            {
                children[i] = Node.ChildAt(buf, i);
                if (i < n)
                {
                    keys[i] = Node.Key(buf, i, leaf: false).ToArray();
                }
            }
            return (children, keys);
        }

        /// <summary>BT8 and BT12 for an overflow cell: a value that needed overflow, and a sound chain owned by this cell alone.</summary>
        private void CheckOverflow(uint leafId, byte[] buf, int slot)
        {
            int local = Node.LeafValueLength(buf, slot);
            if (local < Node.OverflowPointerSize)
            {
                Errors.Add($"BT12 page {leafId} slot {slot}: overflow cell payload is {local} bytes, shorter than the 8-byte pointer");
                return;
            }
            int prefix = local - Node.OverflowPointerSize;
            int total = Node.OverflowTotalLength(buf, slot);
            int keyLength = Node.LeafCell(buf, slot).KeyLength;
            if (total < 0 || keyLength + total <= tree.MaxEntryBytes || total <= prefix)
            {
                Errors.Add($"BT8 page {leafId} slot {slot}: overflow value of {total} bytes (prefix {prefix}, key {keyLength}) would fit inline (limit {tree.MaxEntryBytes})");
                return;
            }
            long remaining = total - prefix;
            int capacity = OverflowChain.DataCapacity(buf.Length);
            uint id = Node.OverflowFirstPage(buf, slot);
            while (remaining > 0)
            {
                if (id == 0 || id >= tree._pager.PageCount || !_visited.Add(id))
                {
                    Errors.Add($"BT12 page {leafId} slot {slot}: overflow chain reaches page {id}, which is {(id == 0 ? $"the end with {remaining} bytes missing" : id >= tree._pager.PageCount ? "out of range" : "already owned (shared or cyclic)")}");
                    return;
                }
                using PageRef page = tree._pager.Get(id);
                int used = (int)BinaryPrimitives.ReadUInt32LittleEndian(page.Buffer.AsSpan(OverflowChain.UsedOffset));
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(page.Buffer.AsSpan(OverflowChain.NextOffset));
                int expected = (int)Math.Min(capacity, remaining);
                if (page.PageType != PageType.Overflow || used != expected)
                {
                    Errors.Add($"BT12 overflow page {id} (page {leafId} slot {slot}) has type {page.PageType} and {used} bytes, expected Overflow with {expected}");
                    return;
                }
                remaining -= used;
                if (remaining == 0 && next != 0)
                {
                    Errors.Add($"BT12 overflow page {id} ends the value of page {leafId} slot {slot} but links to {next}");
                }
                id = next;
            }
        }

        /// <summary>BT2; false when the layout is too broken to read keys safely.</summary>
        private bool CheckSpace(uint pageId, byte[] buf, bool leaf)
        {
            int n = Node.Count(buf);
            int start = Node.ContentStart(buf);
            int slotEnd = Node.SlotArrayOffset + 2 * n;
            if (slotEnd > start || start > buf.Length)
            {
                Errors.Add($"BT2 page {pageId}: slot array ends at {slotEnd}, cell content starts at {start}, page size {buf.Length}");
                return false;
            }
            var cells = new List<(int Offset, int Size)>(n);
            for (int i = 0; i < n; i++)
            {
                int off = Node.SlotOffset(buf, i);
                if (off < start || off >= buf.Length)
                {
                    Errors.Add($"BT2 page {pageId}: slot {i} points at offset {off}, outside the cell area [{start}, {buf.Length})");
                    return false;
                }
                if (!Node.TryCellSize(buf, off, buf.Length, leaf, out int size))
                {
                    Errors.Add($"BT2 page {pageId}: cell at slot {i} (offset {off}) is malformed: a length runs past the page end {buf.Length} or is not in its shortest form");
                    return false;
                }
                cells.Add((off, size));
            }
            cells.Sort();
            int used = 0;
            for (int i = 0; i < cells.Count; i++)
            {
                used += cells[i].Size;
                if (i > 0 && cells[i - 1].Offset + cells[i - 1].Size > cells[i].Offset)
                {
                    Errors.Add($"BT2 page {pageId}: cells at offsets {cells[i - 1].Offset} and {cells[i].Offset} overlap");
                    return false;
                }
            }
            int garbage = Node.Garbage(buf);
            if (used + garbage != buf.Length - start)
            {
                Errors.Add($"BT2 page {pageId}: cells use {used} bytes and garbage is {garbage}, but the cell area [{start}, {buf.Length}) has {buf.Length - start}");
            }
            return true;
        }

        /// <summary>BT6: the sibling chain from the leftmost leaf equals the in-order leaf list.</summary>
        public void CheckLeafChain()
        {
            if (_leaves.Count == 0)
            {
                return;
            }
            uint id = _leaves[0];
            for (int i = 0; i < _leaves.Count; i++)
            {
                if (id != _leaves[i])
                {
                    Errors.Add($"BT6 leaf chain: link after leaf {(i == 0 ? "(start)" : _leaves[i - 1].ToString())} is {id}, expected leaf {_leaves[i]}");
                    return;
                }
                using PageRef page = tree._pager.Get(id);
                id = Node.Link(page.Buffer);
            }
            if (id != 0)
            {
                Errors.Add($"BT6 leaf chain: last leaf {_leaves[^1]} links to {id}, expected 0");
            }
        }

        /// <summary>BT9: a search for each leaf's first and last key from the root arrives at that leaf.</summary>
        public void CheckReachability()
        {
            for (int i = 0; i < _leaves.Count; i++)
            {
                (byte[] first, byte[] last) = _leafBounds[i];
                if (first.Length == 0 && last.Length == 0 && _leaves.Count == 1)
                {
                    continue;
                }
                foreach (byte[] key in new[] { first, last })
                {
                    using PageRef found = tree.FindLeaf(key);
                    if (found.PageId != _leaves[i])
                    {
                        Errors.Add($"BT9 key {Hex(key)} of leaf {_leaves[i]} is not reachable: a search from the root arrives at leaf {found.PageId}");
                    }
                }
            }
        }

        private static string Hex(ReadOnlySpan<byte> bytes) => bytes.Length == 0 ? "(empty)" : Convert.ToHexString(bytes);
    }
}
