using System.Text.RegularExpressions;
using Foundry.Runtime;
using Foundry.Storage;

namespace Foundry.Engine;

/// <summary>
/// `foundry check`: examines a database file without changing it and reports every fault found.
///
/// Order of work (each step is one or more <see cref="IntegrityObjectReport"/>s):
///
///  0. Log — the database file and its log are opened read-only and recovery runs into memory
///     (<see cref="RecoveredFile"/>), so every later step sees the committed state, and neither file
///     changes. A log recovery refuses (RF1–RF3) is reported as a fault, and nothing else is checked.
///  1. Pages — the committed state is read sequentially, outside the pager: the header prefix (magic,
///     version, page size), then every whole page's checksum (PG4), including page 0 and pages no tree
///     owns. The file length is compared with the header's page count (IC7).
///  2. A read-only pager is opened on the committed state (this validates the header again) with a small pool.
///  3. Catalog — its B+Tree (BT1–BT10, BT12), then every entry decoded (IC1).
///  4. Each table — its B+Tree, then every row (IC2). Then each of its indexes — its B+Tree, then the
///     cross-check with the table (IC3–IC6). Then views (their entry decodes).
///  5. File — the free list (FL1–FL3) and page ownership with the roots of every table and index (BT11).
///
/// Invariants checked here beyond those of the storage layer (messages start with the number):
///
///  - IC1 Every catalog entry decodes: a known kind, a well-formed definition whose name matches its key,
///        column ordinals in range, and every index belongs to a table in the catalog.
///  - IC2 Every row matches its table: the record has at most the table's column count, a valid offset
///        width and the smallest that holds it, column bytes inside the record ending exactly at its end,
///        no NULL in a NOT NULL column and no bytes in a NULL one, INTEGER in the fewest of 1–8 bytes,
///        8-byte REAL, 1-byte BOOLEAN, valid UTF-8 TEXT; the row's key is one integer (rowid tables) or the
///        encoding of its primary-key columns.
///  - IC3 Every row has its entry in each of the table's indexes: key = index columns + primary key,
///        value = primary key (see IndexMaintenance).
///  - IC4 Every index entry points at an existing row, and that row's columns give exactly the entry's key.
///  - IC5 An index has exactly as many entries as its table has rows.
///  - IC6 A UNIQUE index holds no two entries with equal, non-NULL column values.
///  - FH  (file header, checked by the pager on open and here first) magic, format version, page size,
///        checksum, page count and roots in range; a file failing these is reported and not opened further.
///  - IC7 The file holds every page the header counts (bytes after the last page are only noted:
///        the pager reserves them for new pages (PG7), or an interrupted commit left them).
///
/// Guarantees: nothing is written (both files are opened read-only, recovery writes into memory, and the
/// pager refuses changes), so a database on a read-only file or directory can be checked; and no
/// exception escapes — anything thrown while checking an object becomes a fault of that object. The file
/// is locked shared while it is checked, so no writer opens it meanwhile; a file open in another process
/// cannot be checked (<see cref="IntegrityReport.CannotCheck"/>).
/// Cross-checks and row checks run only on trees that passed validation, so a damaged tree cannot send
/// them into a cycle or through garbage; a damaged tree's faults come from the validator instead.
/// </summary>
public static partial class IntegrityCheck
{
    /// <summary>Frames for the check's pager: it reads each page a few times, so a small pool is enough and keeps memory bounded.</summary>
    private const int CacheFrames = 256;

    /// <summary>Checks the database file at <paramref name="path"/>. Never throws for a damaged, truncated or foreign file.</summary>
    public static IntegrityReport Run(string path, IProgress<IntegrityProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var report = new IntegrityReport(System.IO.Path.GetFullPath(path));
        try
        {
            Check(report, progress);
        }
        catch (Exception e)
        {
            report.Add(IntegrityObjectKind.File, "check").Fault($"unexpected {e.GetType().Name} while checking (a Foundry bug): {e.Message}");
        }
        report.Elapsed = clock.Elapsed;
        return report;
    }

    private static void Check(IntegrityReport report, IProgress<IntegrityProgress>? progress)
    {
        if (!File.Exists(report.Path))
        {
            report.CannotCheck = Directory.Exists(report.Path)
                ? $"'{report.Path}' is a directory, not a database file"
                : $"no such database file: '{report.Path}'";
            return;
        }
        report.FileExists = true;
        RecoveredFile recovered;
        try
        {
            recovered = RecoveredFile.Open(report.Path);
        }
        catch (WalRefusedException e)
        {
            var log = report.Add(IntegrityObjectKind.File, "log");
            log.Fault($"RF {e.Message}");
            log.Note("the database file was not checked: its committed state needs the log; `foundry recover` says what opening it without the damaged part would drop");
            return;
        }
        catch (StorageException e)
        {
            report.CannotCheck = e.Message;
            return;
        }
        using (recovered)
        {
            CheckRecovered(report, recovered, progress);
        }
    }

    /// <summary>Steps 1–5 on the committed state (the database file with the log's changes applied in memory).</summary>
    private static void CheckRecovered(IntegrityReport report, RecoveredFile recovered, IProgress<IntegrityProgress>? progress)
    {
        if (recovered.Recovery.IsNotable)
        {
            report.Add(IntegrityObjectKind.File, "log").Summary = $"committed state read through the log without changing it; {recovered.Recovery}";
        }
        if (!ScanPages(recovered.File, report, progress)) return;

        // Created on first use, so the file-level entry comes last in the report — or alone, when the pager cannot open the file.
        var fileObject = new Lazy<IntegrityObjectReport>(() => report.Add(IntegrityObjectKind.File, "file"));
        Pager pager;
        try
        {
            pager = recovered.OpenPager(new PagerOptions { CacheFrames = CacheFrames });
        }
        catch (StorageException e)
        {
            fileObject.Value.Fault($"FH {e.Message}");
            return;
        }
        using (pager)
        {
            var catalog = CheckCatalog(pager, report);
            var roots = new List<uint>();
            var damagedTrees = false;
            foreach (var table in catalog.Tables)
            {
                var tableReport = report.Add(IntegrityObjectKind.Table, table.Name);
                roots.Add(table.RootPageId);
                var tableTree = Guard(tableReport, () => CheckTable(pager, table, tableReport, progress));
                damagedTrees |= !tableReport.Ok;
                foreach (var index in table.Indexes)
                {
                    var indexReport = report.Add(IntegrityObjectKind.Index, index.Name);
                    roots.Add(index.RootPageId);
                    Guard(indexReport, () => CheckIndex(pager, table, tableTree, index, indexReport, progress));
                    damagedTrees |= !indexReport.Ok;
                }
            }
            foreach (var (index, problem) in catalog.OrphanIndexes)
            {
                var indexReport = report.Add(IntegrityObjectKind.Index, index.Name);
                roots.Add(index.RootPageId);
                indexReport.Fault($"IC1 {problem}");
                Guard(indexReport, () => CheckIndex(pager, null, null, index, indexReport, progress));
            }
            foreach (var (name, sql) in catalog.Views)
            {
                report.Add(IntegrityObjectKind.View, name).Summary = $"{sql.Length} characters of SQL";
            }
            Guard(fileObject.Value, () => CheckFile(pager, report, fileObject.Value, catalog.Readable ? roots : null, damagedTrees || !catalog.Readable));
        }
    }

    /// <summary>Free list and page ownership. <paramref name="roots"/> is null when the catalog could not be read (ownership is then unknown).</summary>
    private static void CheckFile(Pager pager, IntegrityReport report, IntegrityObjectReport o, List<uint>? roots, bool damaged)
    {
        report.FreePageCount = pager.FreePageCount;
        o.Summary = $"{pager.PageCount} pages: 1 header, {pager.PageCount - 1 - pager.FreePageCount} in trees, {pager.FreePageCount} free";
        if (roots is null)
        {
            o.AddFaults(pager.Validate());
            o.Note("page ownership (BT11) not checked: the catalog could not be read, so the trees are unknown");
            return;
        }
        // Pager.Validate(roots) also re-validates every tree; those faults are already reported per object,
        // so only the file-level ones (free list FL1–FL3, ownership BT11) are kept here.
        var faults = pager.Validate(roots).Where(m => m.StartsWith("FL", StringComparison.Ordinal) || m.StartsWith("BT11", StringComparison.Ordinal)).ToList();
        o.AddFaults(faults.Where(m => LeakedPage(m) is null));
        var leaked = faults.Select(LeakedPage).OfType<string>().ToList();
        if (leaked.Count > 0)
        {
            var listed = string.Join(", ", leaked.Take(50)) + (leaked.Count > 50 ? ", …" : "");
            o.Fault($"BT11 {leaked.Count} {(leaked.Count == 1 ? "page is" : "pages are")} leaked (neither reachable from a tree root nor on the free list): {listed}");
        }
        if (damaged && !o.Ok)
        {
            o.Note("pages the validator could not reach past the damage reported above count as leaked (BT11); fix that damage first");
        }
    }

    /// <summary>The page id of a Pager.Validate "BT11 page N is leaked" message, so leaks are listed on one line; null for other messages.</summary>
    private static string? LeakedPage(string message) =>
        LeakedPattern().Match(message) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"^BT11 page (\d+) is leaked")]
    private static partial Regex LeakedPattern();

    /// <summary>Runs one object's check; whatever it throws becomes a fault of that object.</summary>
    private static T? Guard<T>(IntegrityObjectReport o, Func<T?> check) where T : class
    {
        try
        {
            return check();
        }
        catch (CorruptPageException e)
        {
            o.Fault($"PG4 {e.Message}");
        }
        catch (StorageException e)
        {
            o.Fault($"BT1 {e.Message}");
        }
        catch (Exception e)
        {
            o.Fault($"unexpected {e.GetType().Name} while checking {o.Kind.ToString().ToLowerInvariant()} {o.Name}: {e.Message}");
        }
        return null;
    }

    private static void Guard(IntegrityObjectReport o, Action check) => Guard<object>(o, () =>
    {
        check();
        return null;
    });

    /// <summary>Opens the tree at <paramref name="root"/>, or records why it is not a B+Tree root and returns null.</summary>
    private static BTree? OpenTree(Pager pager, uint root, IntegrityObjectReport o)
    {
        try
        {
            return new BTree(pager, root);
        }
        catch (CorruptPageException e)
        {
            o.Fault($"PG4 root {e.Message}");
        }
        catch (StorageException e)
        {
            o.Fault($"BT1 root page {root}: {e.Message}");
        }
        return null;
    }

    /// <summary>Depth of a validated tree, for summaries.</summary>
    private static string Shape(BTree tree) => $"root page {tree.RootPageId}, depth {tree.Depth}";
}
