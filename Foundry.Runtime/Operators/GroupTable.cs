using Foundry.Storage;

namespace Foundry.Runtime;

/// <summary>
/// Hash aggregation state: group key -> group number, with the groups' key values and accumulators
/// in a <see cref="ColumnBuffer"/> row per group (columns laid out by the code generator). Also serves
/// DISTINCT-aggregate bookkeeping: the set of values already counted per group and aggregate.
///
/// Generated code, per input row: <see cref="Find"/>, else <see cref="Add"/>, then updates the group's
/// row; when Add refuses (-1), it stages the row's key and argument values in <see cref="Deferred"/>
/// row 0 and calls <see cref="Defer"/>. Output: <see cref="MoveNext"/> and <see cref="CurrentGroup"/>
/// give the groups in memory; then <see cref="NextPartition"/> starts the next spilled partition, whose
/// rows <see cref="NextDeferredRow"/> hands back (staged in Deferred) to the same find-add-update code,
/// and its groups are emitted in turn.
///
/// Spilling (a table made with an <see cref="OperatorMemory"/>; hybrid hash aggregation): once the
/// statement is over its budget, the groups in memory stay and keep taking their rows, and a row of a
/// new group goes to one of <see cref="RowKeyCodec.PartitionFanOut"/> partition files by its key's hash. So every group is
/// aggregated whole, in one place, from its rows in input order: results, REAL sums included, are
/// exactly those of the in-memory run, and DISTINCT aggregates need nothing special. A partition
/// whose groups do not fit defers rows of its new groups again, to partitions of the next level
/// (an independent hash), up to <see cref="RowKeyCodec.MaxPartitionLevels"/>; beyond, groups are kept in memory.
/// Partition record: the staged row (<see cref="ColumnBuffer"/> row format).
/// </summary>
public sealed class GroupTable : IDisposable
{
    /// <summary>Bytes counted per group on top of its row and key: the dictionary entry and bucket.</summary>
    private const int EntryBytes = 40;

    /// <summary>Bytes counted per value remembered for a DISTINCT aggregate: set entry and box.</summary>
    private const int DistinctEntryBytes = 48;

    private readonly Dictionary<object, int> _groups = new();
    private readonly Dictionary<(int Group, int Aggregate), HashSet<object>> _distinct = new();
    private readonly OperatorMemory? _memory;
    private readonly Stack<(SpillFile File, int Level)> _pending = new();
    private SpillFile?[]? _partitions;
    private SpillFile? _replaying;
    private long _replayLeft;
    private int _level;
    private long _reservedBytes;
    private int _position = -1;

    /// <summary>A table that never spills (rows made with every array for every column).</summary>
    public GroupTable(int width) => Rows = new ColumnBuffer(width);

    /// <summary>
    /// A table whose new groups' rows spill beyond the budget (`memory` null: it stays in memory).
    /// `inputKinds`: the staged row of a deferred input row (key values, then argument values).
    /// </summary>
    public GroupTable(ColumnKind[] kinds, ColumnKind[] inputKinds, OperatorMemory? memory)
    {
        Rows = new ColumnBuffer(kinds);
        Deferred = new ColumnBuffer(inputKinds);
        Deferred.AddRow();
        _memory = memory;
    }

    public ColumnBuffer Rows { get; }

    /// <summary>Row 0: the input row being deferred, or being handed back from a partition.</summary>
    public ColumnBuffer Deferred { get; } = new(0);

    public int Count => Rows.Count;

    /// <summary>The group the last <see cref="MoveNext"/> stopped at.</summary>
    public int CurrentGroup { get; private set; }

    /// <summary>The group's number, or -1 when the key is new.</summary>
    public int Find(object key) => _groups.TryGetValue(key, out var g) ? g : -1;

    /// <summary>
    /// Adds a group (its row starts with every column zero and not NULL) and returns its number, or -1
    /// when the statement is over its budget: the row must then be deferred.
    /// </summary>
    public int Add(object key)
    {
        if (_memory is not null && _level + 1 < RowKeyCodec.MaxPartitionLevels && _memory.ShouldSpill(_reservedBytes)) return -1;
        var g = Rows.AddRow();
        _groups[key] = g;
        Reserve(EntryBytes + Rows.FixedRowBytes + RowKeyCodec.Bytes(key));
        return g;
    }

    /// <summary>Writes the row staged in <see cref="Deferred"/> to its partition of the next level.</summary>
    public void Defer(object key)
    {
        _partitions ??= new SpillFile?[RowKeyCodec.PartitionFanOut];
        var file = _partitions[RowKeyCodec.Partition(key, _level)] ??= _memory!.Spill.Create();
        Deferred.WriteRow(file.Writer, 0);
        file.RecordWritten();
        _memory!.RowProcessed();
    }

    /// <summary>For DISTINCT aggregates: true the first time a value is seen in a group.</summary>
    public bool FirstOccurrence(int group, int aggregate, object value)
    {
        if (!_distinct.TryGetValue((group, aggregate), out var seen)) _distinct[(group, aggregate)] = seen = new HashSet<object>();
        if (!seen.Add(value)) return false;
        Reserve(DistinctEntryBytes + RowKeyCodec.Bytes(value));
        return true;
    }

    /// <summary>The next group in memory; false when they are all emitted.</summary>
    public bool MoveNext()
    {
        if (++_position >= Rows.Count) return false;
        CurrentGroup = _position;
        return true;
    }

    /// <summary>
    /// The groups in memory are emitted: empties the table and opens the next spilled partition, whose
    /// rows <see cref="NextDeferredRow"/> gives. False when no partition is left.
    /// </summary>
    public bool NextPartition()
    {
        QueuePartitions();
        ClearGroups();
        if (!_pending.TryPop(out var next)) return false;
        _replaying = next.File;
        _replayLeft = next.File.Records;
        // Rows of this partition's new groups are deferred by the next level's hash.
        _level = next.Level + 1;
        return true;
    }

    /// <summary>The next row of the partition being loaded, staged in <see cref="Deferred"/> row 0.</summary>
    public bool NextDeferredRow()
    {
        if (_replaying is null) return false;
        if (_replayLeft == 0)
        {
            _replaying.Dispose();
            _replaying = null;
            return false;
        }
        _replayLeft--;
        Deferred.ReadRow(_replaying.Reader, 0);
        _memory!.RowProcessed();
        return true;
    }

    public void Dispose()
    {
        _replaying?.Dispose();
        while (_pending.TryPop(out var p)) p.File.Dispose();
        if (_partitions is not null)
            foreach (var p in _partitions) p?.Dispose();
        ClearGroups();
    }

    /// <summary>Queues the partitions deferred rows went to (at the current level) for loading.</summary>
    private void QueuePartitions()
    {
        if (_partitions is null) return;
        for (var p = RowKeyCodec.PartitionFanOut - 1; p >= 0; p--)
        {
            if (_partitions[p] is not { } file) continue;
            file.StartReading();
            _pending.Push((file, _level));
        }
        _partitions = null;
    }

    private void Reserve(long bytes)
    {
        if (_memory is null) return;
        _reservedBytes += bytes;
        _memory.Reserve(bytes);
    }

    private void ClearGroups()
    {
        _groups.Clear();
        _distinct.Clear();
        Rows.Clear();
        _position = -1;
        _memory?.Release(_reservedBytes);
        _reservedBytes = 0;
    }
}
