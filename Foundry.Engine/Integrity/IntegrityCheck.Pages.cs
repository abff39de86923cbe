using Foundry.Storage;

namespace Foundry.Engine;

public static partial class IntegrityCheck
{
    private const int ProgressEveryPages = 4096;

    /// <summary>
    /// Step 1: reads the committed state sequentially, outside the pager, and checks the header prefix,
    /// every whole page's checksum (PG4) and the length against the header's page count (IC7). Works on
    /// files the pager refuses to open (truncated, header checksum wrong). Returns true when the header is
    /// sound and the file complete, so the structure can be checked through the pager.
    /// </summary>
    private static bool ScanPages(IStorageFile file, IntegrityReport report, IProgress<IntegrityProgress>? progress)
    {
        var o = report.Add(IntegrityObjectKind.Pages, "pages");
        try
        {
            return ScanPages(file, report, o, progress);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            o.Fault($"IC7 reading '{report.Path}' failed: {e.Message}");
            return false;
        }
    }

    private static bool ScanPages(IStorageFile stream, IntegrityReport report, IntegrityObjectReport o, IProgress<IntegrityProgress>? progress)
    {
        long length = stream.Length;
        report.FileBytes = length;
        if (length < FileHeaderPage.FixedSize)
        {
            o.Fault(length == 0
                ? "FH the file is empty (0 bytes): not a Foundry database (foundry exec or shell would format it as a new one)"
                : $"FH the file is {length} bytes long, shorter than the {FileHeaderPage.FixedSize}-byte file header: not a Foundry database");
            return false;
        }
        var prefix = new byte[FileHeaderPage.FixedSize];
        ReadAt(stream, 0, prefix);
        int pageSize;
        try
        {
            pageSize = FileHeaderPage.ValidatePrefix(prefix, report.Path);
        }
        catch (StorageException e)
        {
            o.Fault($"FH {e.Message}");
            return false;
        }
        report.PageSizeBytes = pageSize;
        var page = new byte[pageSize];
        long wholePages = length / pageSize;
        if (wholePages == 0)
        {
            o.Fault($"IC7 the file is {length} bytes long, shorter than its {pageSize}-byte header page (truncated)");
            return false;
        }
        ReadAt(stream, 0, page);
        bool headerSound = VerifyPage(0, page, pageSize, report, o);
        var header = FileHeaderPage.Read(page);
        long pageCount = headerSound ? header.PageCount : wholePages;
        if (headerSound) report.PageCount = pageCount;
        long scan = Math.Min(pageCount, wholePages);
        for (long id = 1; id < scan; id++)
        {
            ReadAt(stream, id * pageSize, page);
            VerifyPage((uint)id, page, pageSize, report, o);
            if (id % ProgressEveryPages == 0) progress?.Report(new IntegrityProgress("pages", id, scan));
        }
        o.Entries = scan;
        o.Summary = $"{scan} pages of {pageSize} bytes, checksums checked";
        if (!headerSound)
        {
            o.Note("the header page is damaged, so the page count is unknown: every whole page in the file was scanned, and nothing else was checked");
            return false;
        }
        long expected = pageCount * pageSize;
        if (length < expected)
        {
            o.Fault($"IC7 the file is truncated: the header says {pageCount} pages of {pageSize} bytes ({expected} bytes), the file has {length} bytes, so pages {wholePages} to {pageCount - 1} are missing or cut short");
            o.Note("tables and indexes were not checked: the pager does not open a truncated file");
            return false;
        }
        if (length > expected)
        {
            o.Note($"{length - expected} bytes after the last page (space the pager reserves for new pages, PG7, or left by an interrupted commit; new pages overwrite them)");
        }
        return true;
    }

    /// <summary>PG4 for one page read from the file; records a mismatch and returns false.</summary>
    private static bool VerifyPage(uint id, byte[] page, int pageSize, IntegrityReport report, IntegrityObjectReport o)
    {
        uint stored = PageHeader.GetChecksum(page), computed = PageHeader.ComputeChecksum(page);
        if (stored == computed) return true;
        report.AddCorruptPage(id);
        o.Fault($"PG4 page {id}{(id == 0 ? " (file header)" : "")} at offset {(long)id * pageSize}: checksum mismatch (stored 0x{stored:X8}, computed 0x{computed:X8}); page type byte says {PageHeader.GetPageType(page)}");
        return false;
    }

    private static void ReadAt(IStorageFile file, long offset, byte[] buffer)
    {
        if (file.Read(buffer, offset) != buffer.Length)
        {
            throw new IOException($"short read at offset {offset} of '{file.Path}'");
        }
    }
}
