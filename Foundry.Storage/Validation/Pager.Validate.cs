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
}
