using Foundry.Storage;

namespace Foundry.Runtime;

/// <summary>
/// Hash aggregation state: group key -> group number, with the groups' key values and accumulators
/// in a <see cref="ColumnBuffer"/> row per group (columns laid out by the code generator). Also serves
/// DISTINCT-aggregate bookkeeping: the set of values already counted per group and aggregate.
///
/// Generated code calls <see cref="Find"/> and <see cref="Add"/> per input row and updates the group's
/// row, then <see cref="Finish"/>, then reads the groups with <see cref="MoveNext"/> and
/// <see cref="CurrentGroup"/> (rows of <see cref="Rows"/>).
///
/// Spilling (a table made with an <see cref="OperatorMemory"/>): when the statement is over its budget
/// as a new group arrives, every group in memory — key and partial accumulators — is written to one of
/// <see cref="FanOut"/> partition files chosen by its key's hash, and the table starts empty. A key
/// can therefore have partial groups in memory and in several spills; all of them land in the same
/// partition. At <see cref="Finish"/> the groups still in memory are written out too, and partitions
/// are then loaded one at a time, partial groups of one key folded together with their
/// <see cref="AccumulatorMerge"/>s, and emitted. A partition that does not fit is split again, by an
/// independent hash of the next level, up to <see cref="MaxLevels"/> (beyond, it is kept in memory).
/// Partition record: the key (<see cref="RowKeyCodec"/>), then the row (<see cref="ColumnBuffer"/>
/// row format). DISTINCT aggregates keep per-group value sets that are not spilled: a table that
/// serves them is made without a memory budget and stays in memory.
/// </summary>
public sealed class GroupTable : IDisposable
{
    public const int FanOut = 32;
    public const int MaxLevels = 6;

    /// <summary>Bytes counted per group on top of its row and key: the dictionary entry and bucket.</summary>
    private const int EntryBytes = 40;

    private readonly Dictionary<object, int> _groups = new();
    private readonly Dictionary<(int Group, int Aggregate), HashSet<object>> _distinct = new();
    private readonly AccumulatorMerge[]? _merges;
    private readonly OperatorMemory? _memory;
    private readonly Stack<(SpillFile File, int Level)> _pending = new();
    private SpillFile?[]? _partitions;
    private ColumnBuffer? _incoming;
    private long _reservedBytes;
    private int _position = -1;
    private bool _spilled;

    /// <summary>A table that never spills (rows made with every array for every column).</summary>
    public GroupTable(int width) => Rows = new ColumnBuffer(width);

    /// <summary>A table whose groups spill beyond the budget; `memory` null: it stays in memory.</summary>
    public GroupTable(ColumnKind[] kinds, AccumulatorMerge[] merges, OperatorMemory? memory)
    {
        Rows = new ColumnBuffer(kinds);
        _merges = merges;
        _memory = memory;
    }

    public ColumnBuffer Rows { get; }
    public int Count => Rows.Count;

    /// <summary>Partition files written so far (0 when every group fit).</summary>
    public long SpilledPartitions { get; private set; }

    /// <summary>The group the last <see cref="MoveNext"/> stopped at.</summary>
    public int CurrentGroup { get; private set; }

    /// <summary>The group's number, or -1 when the key is new.</summary>
    public int Find(object key) => _groups.TryGetValue(key, out var g) ? g : -1;

    /// <summary>
    /// Adds a group (its row starts with every column zero and not NULL) and returns its number. When
    /// the statement is over its budget, the groups in memory are spilled first (their numbers end).
    /// </summary>
    public int Add(object key)
    {
        if (_memory is not null && _memory.ShouldSpill(_reservedBytes)) SpillGroups(0);
        return AddGroup(key);
    }

    /// <summary>For DISTINCT aggregates: true the first time a value is seen in a group.</summary>
    public bool FirstOccurrence(int group, int aggregate, object value)
    {
        if (!_distinct.TryGetValue((group, aggregate), out var seen)) _distinct[(group, aggregate)] = seen = new HashSet<object>();
        return seen.Add(value);
    }

    /// <summary>The input is complete: from now on <see cref="MoveNext"/> gives the groups.</summary>
    public void Finish()
    {
        if (!_spilled) return;
        SpillGroups(0);
        PushPartitions(0);
    }

    public bool MoveNext()
    {
        while (++_position >= Rows.Count)
        {
            if (!_pending.TryPop(out var next)) return false;
            LoadPartition(next.File, next.Level);
            _position = -1;
        }
        CurrentGroup = _position;
        return true;
    }

    public void Dispose()
    {
        while (_pending.TryPop(out var p)) p.File.Dispose();
        if (_partitions is not null)
            foreach (var p in _partitions) p?.Dispose();
        ClearGroups();
    }

    private int AddGroup(object key)
    {
        var g = Rows.AddRow();
        _groups[key] = g;
        if (_memory is not null)
        {
            var bytes = EntryBytes + Rows.FixedRowBytes + RowKeyCodec.Bytes(key);
            _reservedBytes += bytes;
            _memory.Reserve(bytes);
        }
        return g;
    }

    /// <summary>Writes every group in memory to the partitions of `level` and empties the table.</summary>
    private void SpillGroups(int level)
    {
        _spilled = true;
        _partitions ??= new SpillFile?[FanOut];
        var space = _memory!.Spill;
        foreach (var (key, group) in _groups)
        {
            var p = RowKeyCodec.Partition(key, level, FanOut);
            var file = _partitions[p] ??= space.Create();
            RowKeyCodec.Write(file.Writer, key);
            Rows.WriteRow(file.Writer, group);
            file.RecordWritten();
            _memory.RowProcessed();
        }
        ClearGroups();
    }

    /// <summary>Queues the partitions written so far for loading, and starts a fresh set.</summary>
    private void PushPartitions(int level)
    {
        var partitions = _partitions!;
        _partitions = null;
        for (var p = partitions.Length - 1; p >= 0; p--)
        {
            if (partitions[p] is not { } file) continue;
            file.StartReading();
            SpilledPartitions++;
            _pending.Push((file, level));
        }
    }

    /// <summary>
    /// Loads one partition's partial groups, folding equal keys. If it outgrows the budget it is split
    /// by the next level's hash into new partitions, queued in its place, and the table is left empty.
    /// </summary>
    private void LoadPartition(SpillFile file, int level)
    {
        ClearGroups();
        var incoming = _incoming ??= new ColumnBuffer(Rows.Kinds!);
        if (incoming.Count == 0) incoming.AddRow();
        var reader = file.Reader;
        var split = false;
        for (var i = 0L; i < file.Records; i++)
        {
            var key = RowKeyCodec.Read(reader);
            var g = Find(key);
            if (g < 0)
            {
                if (_memory!.ShouldSpill(_reservedBytes) && level + 1 < MaxLevels)
                {
                    SpillGroups(level + 1);
                    split = true;
                }
                Rows.ReadRow(reader, AddGroup(key));
            }
            else
            {
                incoming.ReadRow(reader, 0);
                AccumulatorMerging.Merge(_merges!, Rows, g, incoming, 0);
            }
            _memory!.RowProcessed();
        }
        file.Dispose();
        if (!split) return;
        SpillGroups(level + 1);
        PushPartitions(level + 1);
    }

    private void ClearGroups()
    {
        _groups.Clear();
        _distinct.Clear();
        Rows.Clear();
        _memory?.Release(_reservedBytes);
        _reservedBytes = 0;
    }
}
