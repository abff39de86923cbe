using System.Buffers.Binary;

namespace Foundry.Storage;

public sealed partial class Pager
{
    /// <summary>
    /// Checks the file-level invariants and returns one message per violation (empty = OK):
    ///
    ///  - FL1 every page on the free list is in range, has type Free, and appears once (no cycle);
    ///  - FL2 the free list's length equals the header's free page count;
    ///  - FL3 the catalog root is in range and is a B+Tree node.
    ///
    /// Reads pages only; a page that cannot be read is reported, not thrown.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        ThrowIfDisposed();
        var errors = new List<string>();
        var seen = new HashSet<uint>();
        uint id = _header.FreeListHead;
        try
        {
            while (id != 0)
            {
                if (id >= _header.PageCount || !seen.Add(id))
                {
                    errors.Add($"FL1 free list reaches page {id}, which is {(id >= _header.PageCount ? $"out of range (page count {_header.PageCount})" : "already on the list (cycle)")}");
                    break;
                }
                using PageRef page = Get(id);
                if (page.PageType != PageType.Free)
                {
                    errors.Add($"FL1 free list page {id} has type {page.PageType}, expected Free");
                    break;
                }
                id = BinaryPrimitives.ReadUInt32LittleEndian(page.Buffer.AsSpan(PageHeader.Size));
            }
            if (errors.Count == 0 && seen.Count != _header.FreePageCount)
            {
                errors.Add($"FL2 free list holds {seen.Count} pages, header says {_header.FreePageCount}");
            }
            using PageRef catalog = Get(_header.CatalogRoot);
            if (catalog.PageType is not (PageType.BTreeLeaf or PageType.BTreeInterior))
            {
                errors.Add($"FL3 catalog root page {_header.CatalogRoot} has type {catalog.PageType}, expected a B+Tree node");
            }
        }
        catch (StorageException ex)
        {
            errors.Add($"FL1 page unreadable during validation: {ex.Message}");
        }
        return errors;
    }

    /// <summary>
    /// <see cref="Validate()"/> plus, for the catalog and every tree in <paramref name="treeRoots"/>, the tree
    /// invariants BT1–BT10, and BT11: every page 1 … PageCount-1 is owned by exactly one tree or is on the free
    /// list. A page in none of them is reported as leaked, a page in two as shared. Give every root the
    /// catalog names (tables and indexes), or their pages are reported as leaked.
    /// </summary>
    public IReadOnlyList<string> Validate(IReadOnlyCollection<uint> treeRoots)
    {
        ArgumentNullException.ThrowIfNull(treeRoots);
        var errors = new List<string>(Validate());
        var owner = new Dictionary<uint, string>();
        var roots = new List<uint> { _header.CatalogRoot };
        foreach (uint r in treeRoots)
        {
            if (!roots.Contains(r))
            {
                roots.Add(r);
            }
        }
        foreach (uint root in roots)
        {
            var pages = new HashSet<uint>();
            try
            {
                new BTree(this, root).ValidateInto(pages, errors);
            }
            catch (StorageException ex)
            {
                errors.Add($"BT1 tree root {root}: {ex.Message}");
            }
            foreach (uint p in pages)
            {
                if (!owner.TryAdd(p, $"tree {root}"))
                {
                    errors.Add($"BT11 page {p} belongs to tree {root} and to {owner[p]}");
                }
            }
        }
        uint id = _header.FreeListHead;
        var free = new HashSet<uint>();
        try
        {
            while (id != 0 && id < _header.PageCount && free.Add(id))
            {
                if (!owner.TryAdd(id, "the free list"))
                {
                    errors.Add($"BT11 page {id} is on the free list and belongs to {owner[id]}");
                }
                using PageRef page = Get(id);
                id = BinaryPrimitives.ReadUInt32LittleEndian(page.Buffer.AsSpan(PageHeader.Size));
            }
        }
        catch (StorageException ex)
        {
            errors.Add($"FL1 page unreadable during validation: {ex.Message}");
        }
        for (uint p = 1; p < _header.PageCount; p++)
        {
            if (!owner.ContainsKey(p))
            {
                errors.Add($"BT11 page {p} is leaked: neither reachable from a tree root given nor on the free list");
            }
        }
        return errors;
    }
}
