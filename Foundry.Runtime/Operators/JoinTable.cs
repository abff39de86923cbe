using Foundry.Storage;

namespace Foundry.Runtime;

/// <summary>
/// The build side of a hash join: the right input's rows materialised in a <see cref="ColumnBuffer"/>
/// and a hash index from join key to row numbers. Rows whose key has a NULL part are kept (an outer
/// join may need to emit them) but never indexed, so they never match. Matched flags serve full
/// outer joins, which emit the build rows that nothing matched after the probe.
///
/// Generated code builds with <see cref="AddRow"/>, Set calls on <see cref="Rows"/>, then
/// <see cref="Index"/> (key without NULL) or <see cref="KeepUnindexed"/>; probes with
/// <see cref="Find"/>; a full outer join then emits <see cref="NextUnmatched"/>'s rows.
///
/// Spilling (a table made with an <see cref="OperatorMemory"/>; a grace hash join): when the statement
/// goes over its budget while the build side is read, every build row in memory and every later one
/// is written, with its key, to one of <see cref="RowKeyCodec.PartitionFanOut"/> partition files chosen by the key's hash
/// (rows with a NULL key part, which match nothing, are kept in a file of their own for a full outer
/// join and dropped otherwise), and <see cref="Spilled"/> is set. The probe side then defers each row
/// whose key has no NULL (<see cref="DeferProbe"/>) to the probe partition of the same number: equal
/// keys hash alike, so a probe row can only match build rows of its own partition. A probe row with a
/// NULL key matches nothing and is handled at once. After the probe input,
/// <see cref="NextDeferredProbe"/> loads one build partition at a time into memory (splitting it and
/// its probe partition again by the next level's hash when it does not fit, up to
/// <see cref="RowKeyCodec.MaxPartitionLevels"/>), and hands the partition's probe rows, one by one, to the same matching
/// code; a full outer join writes the build rows its partition left unmatched to a file, read by
/// <see cref="NextUnmatched"/> at the end. Inner, outer, semi and anti semantics are unchanged: each
/// probe row meets exactly the build rows with its key. Record format: the key
/// (<see cref="RowKeyCodec"/>), then the row (<see cref="ColumnBuffer"/> row format).
/// </summary>
public sealed class JoinTable : IDisposable
{
    /// <summary>Bytes counted per build row on top of the row itself: index entry and list slot.</summary>
    private const int EntryBytes = 48;

    private readonly Dictionary<object, List<int>> _index = new();
    private bool[] _matched = new bool[64];
    private static readonly List<int> NoRows = [];

    private readonly OperatorMemory? _memory;
    private readonly bool _keepUnmatched;
    private readonly List<int> _unindexed = new();
    private readonly Stack<(SpillFile? Build, SpillFile? Probe, int Level)> _work = new();
    private SpillFile?[]? _buildFiles;
    private SpillFile?[]? _probeFiles;
    private SpillFile? _nullKeyRows;
    private SpillFile? _unmatchedRows;
    private SpillFile? _probing;
    private long _probeLeft;
    private long _reservedBytes;
    private bool _partitioned;
    private bool _partitionLoaded;
    private int _unmatchedPosition = -1;
    private SpillFile? _unmatchedReading;
    private long _unmatchedLeft;
    private ColumnBuffer? _unmatchedStaging;

    /// <summary>The build side of a nested-loop join (or a hash join that never spills).</summary>
    public JoinTable(int width) => Rows = new ColumnBuffer(width);

    /// <summary>
    /// The build side of a hash join that spills beyond the budget. `keepUnmatched`: a full outer join,
    /// which emits the build rows nothing matched.
    /// </summary>
    public JoinTable(ColumnKind[] buildKinds, ColumnKind[] probeKinds, bool keepUnmatched, OperatorMemory memory)
    {
        Rows = new ColumnBuffer(buildKinds);
        ProbeRows = new ColumnBuffer(probeKinds);
        ProbeRows.AddRow();
        _keepUnmatched = keepUnmatched;
        _memory = memory;
    }

    public ColumnBuffer Rows { get; }

    /// <summary>Set once the build side went to partition files: probe rows with a key are deferred.</summary>
    public bool Spilled;

    /// <summary>The one-row buffer of probe rows being deferred or, later, handed back (row 0).</summary>
    public ColumnBuffer ProbeRows { get; } = new(0);

    /// <summary>The buffer and row of the current unmatched build row (<see cref="NextUnmatched"/>).</summary>
    public ColumnBuffer UnmatchedRows => _unmatchedReading is null ? Rows : _unmatchedStaging!;

    public int UnmatchedRow { get; private set; }

    /// <summary>Partition files the build side was split into, all levels (0 when it fit).</summary>
    public long SpilledPartitions { get; private set; }

    /// <summary>Starts a build row (in spill mode, the staging row 0, reused).</summary>
    public int AddRow()
    {
        if (Spilled) Rows.Clear();
        return Rows.AddRow();
    }

    /// <summary>The build row is complete and its key has no NULL part.</summary>
    public void Index(object key, int row)
    {
        if (Spilled)
        {
            WriteRecord(PartitionFile(_buildFiles!, key, 0), key, Rows, row);
            return;
        }
        AddToIndex(key, row);
        if (_memory is null) return;
        var bytes = EntryBytes + Rows.RowBytes(row) + RowKeyCodec.Bytes(key);
        _reservedBytes += bytes;
        _memory.Reserve(bytes);
        if (_memory.ShouldSpill(_reservedBytes)) SpillBuild();
    }

    /// <summary>The build row is complete and its key has a NULL part: it never matches.</summary>
    public void KeepUnindexed(int row)
    {
        if (_memory is null) return;
        if (Spilled)
        {
            if (_keepUnmatched) WriteRow(_nullKeyRows ??= _memory.Spill.Create(), Rows, row);
            return;
        }
        if (_keepUnmatched) _unindexed.Add(row);
        var bytes = Rows.RowBytes(row);
        _reservedBytes += bytes;
        _memory.Reserve(bytes);
        if (_memory.ShouldSpill(_reservedBytes)) SpillBuild();
    }

    public List<int> Find(object key) => _index.TryGetValue(key, out var rows) ? rows : NoRows;

    public void MarkMatched(int row)
    {
        if (row >= _matched.Length) Array.Resize(ref _matched, Math.Max(row + 1, _matched.Length * 2));
        _matched[row] = true;
    }

    public bool IsMatched(int row) => row < _matched.Length && _matched[row];

    /// <summary>The probe row in <see cref="ProbeRows"/> row 0 (its key without NULL) waits for its partition.</summary>
    public void DeferProbe(object key, int row)
    {
        _probeFiles ??= new SpillFile?[RowKeyCodec.PartitionFanOut];
        WriteRecord(PartitionFile(_probeFiles, key, 0), key, ProbeRows, row);
    }

    /// <summary>
    /// After the probe input: the next deferred probe row, in <see cref="ProbeRows"/> row 0, with its
    /// partition's build rows loaded for <see cref="Find"/>. False when every partition is done.
    /// </summary>
    public bool NextDeferredProbe()
    {
        if (!Spilled) return false;
        if (!_partitioned) QueuePartitions();
        while (true)
        {
            if (_probing is not null && _probeLeft > 0)
            {
                _probeLeft--;
                RowKeyCodec.Read(_probing.Reader);
                ProbeRows.ReadRow(_probing.Reader, 0);
                _memory!.RowProcessed();
                return true;
            }
            FinishPartition();
            if (!_work.TryPop(out var next)) return false;
            LoadPartition(next.Build, next.Probe, next.Level);
        }
    }

    /// <summary>Full outer joins, after the probe: the next build row nothing matched.</summary>
    public bool NextUnmatched()
    {
        if (!Spilled)
        {
            while (++_unmatchedPosition < Rows.Count)
            {
                if (IsMatched(_unmatchedPosition)) continue;
                UnmatchedRow = _unmatchedPosition;
                return true;
            }
            return false;
        }
        while (true)
        {
            if (_unmatchedReading is not null && _unmatchedLeft > 0)
            {
                _unmatchedLeft--;
                _unmatchedStaging ??= NewOneRowBuffer();
                _unmatchedStaging.ReadRow(_unmatchedReading.Reader, 0);
                UnmatchedRow = 0;
                _memory!.RowProcessed();
                return true;
            }
            _unmatchedReading?.Dispose();
            _unmatchedReading = _nullKeyRows ?? _unmatchedRows;
            if (_unmatchedReading is null) return false;
            if (_unmatchedReading == _nullKeyRows) _nullKeyRows = null;
            else _unmatchedRows = null;
            _unmatchedReading.StartReading();
            _unmatchedLeft = _unmatchedReading.Records;
        }
    }

    public void Dispose()
    {
        _probing?.Dispose();
        _unmatchedReading?.Dispose();
        _nullKeyRows?.Dispose();
        _unmatchedRows?.Dispose();
        while (_work.TryPop(out var w))
        {
            w.Build?.Dispose();
            w.Probe?.Dispose();
        }
        foreach (var files in new[] { _buildFiles, _probeFiles })
            if (files is not null)
                foreach (var f in files) f?.Dispose();
        ClearBuild();
    }

    /// <summary>A buffer of the build side's kinds with one row, for unmatched rows read back from a file.</summary>
    private ColumnBuffer NewOneRowBuffer()
    {
        var buffer = new ColumnBuffer(Rows.Kinds!);
        buffer.AddRow();
        return buffer;
    }

    private void AddToIndex(object key, int row)
    {
        if (!_index.TryGetValue(key, out var rows)) _index[key] = rows = new List<int>(1);
        rows.Add(row);
    }

    /// <summary>Goes to partition files: writes every build row in memory out and empties the table.</summary>
    private void SpillBuild()
    {
        Spilled = true;
        _buildFiles = new SpillFile?[RowKeyCodec.PartitionFanOut];
        foreach (var (key, rows) in _index)
            foreach (var row in rows) WriteRecord(PartitionFile(_buildFiles, key, 0), key, Rows, row);
        if (_keepUnmatched)
            foreach (var row in _unindexed) WriteRow(_nullKeyRows ??= _memory!.Spill.Create(), Rows, row);
        _unindexed.Clear();
        ClearBuild();
    }

    /// <summary>The probe input is complete: queues each build partition with its probe partition.</summary>
    private void QueuePartitions()
    {
        _partitioned = true;
        Push(_buildFiles!, _probeFiles, 0);
        _buildFiles = null;
        _probeFiles = null;
    }

    private void Push(SpillFile?[] build, SpillFile?[]? probe, int level)
    {
        for (var p = RowKeyCodec.PartitionFanOut - 1; p >= 0; p--)
        {
            var buildFile = build[p];
            var probeFile = probe?[p];
            // Without probe rows a partition matters only to a full outer join (its rows are unmatched);
            // probe rows without build rows still go through matching (outer and anti joins emit them).
            if (probeFile is null && (buildFile is null || !_keepUnmatched))
            {
                buildFile?.Dispose();
                continue;
            }
            buildFile?.StartReading();
            probeFile?.StartReading();
            SpilledPartitions++;
            _work.Push((buildFile, probeFile, level));
        }
    }

    /// <summary>
    /// Loads a build partition into the index; if it does not fit, splits it and its probe partition by
    /// the next level's hash and queues the pieces instead.
    /// </summary>
    private void LoadPartition(SpillFile? build, SpillFile? probe, int level)
    {
        ClearBuild();
        var reader = build?.Reader;
        for (var i = 0L; i < (build?.Records ?? 0); i++)
        {
            var key = RowKeyCodec.Read(reader!);
            var row = Rows.AddRow();
            Rows.ReadRow(reader!, row);
            AddToIndex(key, row);
            var bytes = EntryBytes + Rows.RowBytes(row) + RowKeyCodec.Bytes(key);
            _reservedBytes += bytes;
            _memory!.Reserve(bytes);
            _memory.RowProcessed();
            if (_memory.ShouldSpill(_reservedBytes) && level + 1 < RowKeyCodec.MaxPartitionLevels && i + 1 < build!.Records)
            {
                ClearBuild();
                Split(build, probe, level + 1);
                return;
            }
        }
        build?.Dispose();
        _probing = probe;
        _probeLeft = probe?.Records ?? 0;
        _partitionLoaded = true;
    }

    private void Split(SpillFile build, SpillFile? probe, int level)
    {
        var builds = new SpillFile?[RowKeyCodec.PartitionFanOut];
        Repartition(build, builds, Rows, level);
        SpillFile?[]? probes = null;
        if (probe is not null)
        {
            probes = new SpillFile?[RowKeyCodec.PartitionFanOut];
            Repartition(probe, probes, ProbeRows, level);
        }
        Push(builds, probes, level);
    }

    /// <summary>Copies a partition file's records into the partitions of `level`, then drops it.</summary>
    private void Repartition(SpillFile source, SpillFile?[] targets, ColumnBuffer staging, int level)
    {
        var reader = source.StartReading();
        if (staging.Count == 0) staging.AddRow();
        for (var i = 0L; i < source.Records; i++)
        {
            var key = RowKeyCodec.Read(reader);
            staging.ReadRow(reader, 0);
            WriteRecord(PartitionFile(targets, key, level), key, staging, 0);
        }
        source.Dispose();
    }

    /// <summary>The loaded partition is done: a full outer join keeps its unmatched build rows.</summary>
    private void FinishPartition()
    {
        _probing?.Dispose();
        _probing = null;
        if (!_partitionLoaded) return;
        _partitionLoaded = false;
        if (_keepUnmatched)
            for (var row = 0; row < Rows.Count; row++)
                if (!IsMatched(row)) WriteRow(_unmatchedRows ??= _memory!.Spill.Create(), Rows, row);
        ClearBuild();
    }

    private SpillFile PartitionFile(SpillFile?[] files, object key, int level) =>
        files[RowKeyCodec.Partition(key, level)] ??= _memory!.Spill.Create();

    private void WriteRecord(SpillFile file, object key, ColumnBuffer rows, int row)
    {
        RowKeyCodec.Write(file.Writer, key);
        rows.WriteRow(file.Writer, row);
        file.RecordWritten();
        _memory!.RowProcessed();
    }

    private void WriteRow(SpillFile file, ColumnBuffer rows, int row)
    {
        rows.WriteRow(file.Writer, row);
        file.RecordWritten();
        _memory!.RowProcessed();
    }

    private void ClearBuild()
    {
        _index.Clear();
        Array.Clear(_matched);
        Rows.Clear();
        _memory?.Release(_reservedBytes);
        _reservedBytes = 0;
    }
}
