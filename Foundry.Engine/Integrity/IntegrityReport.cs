namespace Foundry.Engine;

/// <summary>
/// What <see cref="IntegrityCheck.Run"/> found in one database file: one entry per object checked (the
/// page scan, the catalog, each table, index and view, and the file's page accounting), in that order.
/// Each fault is one line that starts with the invariant it breaks (PG4, FL1–FL3, BT1–BT12, IC1–IC7; see
/// the top of IntegrityCheck.cs) and names the page, row or entry involved.
/// </summary>
public sealed class IntegrityReport
{
    internal IntegrityReport(string path) => Path = path;

    public string Path { get; }

    /// <summary>
    /// Why the file could not be examined at all (it does not exist, is locked by another process, or
    /// cannot be read); null when it was examined. A damaged file is never reported here — its damage is
    /// a fault of the object it belongs to.
    /// </summary>
    public string? CannotCheck { get; internal set; }

    /// <summary>False when the file does not exist (then <see cref="CannotCheck"/> says so).</summary>
    public bool FileExists { get; internal set; }

    public long FileBytes { get; internal set; }

    /// <summary>From the file header; 0 when the header is unreadable.</summary>
    public int PageSizeBytes { get; internal set; }

    /// <summary>Pages the header says the file has, page 0 included; 0 when the header is unreadable.</summary>
    public long PageCount { get; internal set; }

    public long FreePageCount { get; internal set; }

    public IReadOnlyList<IntegrityObjectReport> Objects => _objects;

    /// <summary>Pages whose checksum does not match their contents, ascending.</summary>
    public IReadOnlyList<uint> CorruptPages => _corruptPages;

    /// <summary>Faults over all objects (including those counted but not listed).</summary>
    public int FaultCount => Objects.Sum(o => o.FaultCount);

    /// <summary>True when the file was examined and nothing is wrong.</summary>
    public bool Ok => CannotCheck is null && FaultCount == 0;

    public long TotalRows => Objects.Where(o => o.Kind == IntegrityObjectKind.Table).Sum(o => o.Entries);

    public long TotalIndexEntries => Objects.Where(o => o.Kind == IntegrityObjectKind.Index).Sum(o => o.Entries);

    public TimeSpan Elapsed { get; internal set; }

    private readonly List<IntegrityObjectReport> _objects = [];
    private readonly List<uint> _corruptPages = [];

    internal IntegrityObjectReport Add(IntegrityObjectKind kind, string name)
    {
        var o = new IntegrityObjectReport(kind, name);
        _objects.Add(o);
        return o;
    }

    internal void AddCorruptPage(uint pageId) => _corruptPages.Add(pageId);
}

/// <summary>What an <see cref="IntegrityObjectReport"/> describes.</summary>
public enum IntegrityObjectKind
{
    /// <summary>The raw page scan: header, length and every page's checksum.</summary>
    Pages,
    Catalog,
    Table,
    Index,
    View,
    /// <summary>File-level accounting: the free list and live + free pages = file pages.</summary>
    File,
}

/// <summary>The result for one object: a summary, its faults (each citing an invariant), and notes that are not faults.</summary>
public sealed class IntegrityObjectReport
{
    /// <summary>Faults kept per object; beyond this they are only counted, so a badly damaged file still gives a readable report.</summary>
    public const int MaxListedFaults = 100;

    private readonly List<string> _faults = [];
    private readonly List<string> _notes = [];

    internal IntegrityObjectReport(IntegrityObjectKind kind, string name)
    {
        Kind = kind;
        Name = name;
    }

    public IntegrityObjectKind Kind { get; }
    public string Name { get; }

    /// <summary>A short description: root page, depth, row or entry count.</summary>
    public string Summary { get; internal set; } = "";

    /// <summary>Rows of a table, entries of an index or of the catalog, pages of the page scan.</summary>
    public long Entries { get; internal set; }

    /// <summary>The first <see cref="MaxListedFaults"/> faults.</summary>
    public IReadOnlyList<string> Faults => _faults;

    public int FaultCount { get; private set; }

    /// <summary>Observations that are not faults (a check skipped because of an earlier fault, trailing bytes).</summary>
    public IReadOnlyList<string> Notes => _notes;

    public bool Ok => FaultCount == 0;

    internal void Fault(string message)
    {
        FaultCount++;
        if (_faults.Count < MaxListedFaults) _faults.Add(message);
    }

    internal void AddFaults(IEnumerable<string> messages)
    {
        foreach (var m in messages) Fault(m);
    }

    internal void Note(string message) => _notes.Add(message);
}

/// <summary>Progress of a running check, for showing on a terminal: the stage, and work done out of the total.</summary>
public readonly record struct IntegrityProgress(string Stage, long Done, long Total);
