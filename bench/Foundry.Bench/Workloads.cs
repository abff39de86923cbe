namespace Foundry.Bench;

/// <summary>W1..W9 of WORKLOADS.md.</summary>
public sealed partial class Runner
{
    public const int DefaultPointLookups = 100_000;
    public const int DefaultIndexLookups = 10_000;
    public const int DefaultRangeQueries = 1_000;
    private int RangeQueries => _options.RangeQueries;
    private int PointLookups => _options.PointLookups;
    private int IndexLookups => _options.IndexLookups;
    private const int DurableCommits = 10_000;

    /// <summary>Statements prepared once per engine, outside the timed region.</summary>
    private readonly Dictionary<(IEngine, string), IStatement> _prepared = new();

    private IStatement Prepared(IEngine engine, string sql)
    {
        if (!_prepared.TryGetValue((engine, sql), out var statement))
            _prepared[(engine, sql)] = statement = engine.Prepare(sql);
        return statement;
    }

    private void ForgetPrepared()
    {
        foreach (var statement in _prepared.Values) statement.Dispose();
        _prepared.Clear();
    }

    private void Deviation(string note)
    {
        Progress("DEVIATION from WORKLOADS.md: " + note);
        _report.Notes.Add("DEVIATION from WORKLOADS.md: " + note);
    }

    private static ResultSet TableSummary(IEngine e)
    {
        var t = ReadAll(e.Query("SELECT COUNT(*), SUM(id), SUM(k), SUM(v), MIN(s), MAX(s) FROM t"), 'i', 'i', 'i', 'r', 's', 's');
        var d = ReadAll(e.Query("SELECT COUNT(*), SUM(id), SUM(cat), MIN(name), MAX(name) FROM d"), 'i', 'i', 'i', 's', 's');
        t.AddRange(d);
        return t;
    }

    // W1 ------------------------------------------------------------------------------------------

    private void W1Load()
    {
        var result = new WorkloadResult { Id = "W1", Name = "load", Rows = N, Reps = Reps, Operations = N + DataSet.DRows, Unit = "rows" };
        result.Method["foundry"] = FoundryEngine.LoadMethod;
        result.Method["sqlite"] = SqliteEngine.LoadMethod;
        var timed = Selected("W1");
        var reps = timed ? Reps : 1;
        if (timed)
        {
            var warm = Math.Min(N, 20_000);
            Progress($"W1 warm-up: loading {warm:#,0} rows into throw-away files");
            OpenEngines(out var wf, out var ws);
            wf.Load(_data.T.Take(warm), _data);
            ws.Load(_data.T.Take(warm), _data);
            Check(result, "W1 warm-up", TableSummary(wf), TableSummary(ws), "foundry");
            Drop(wf);
            Drop(ws);
        }
        var fTimes = new List<double>();
        var sTimes = new List<double>();
        for (var rep = 1; rep <= reps; rep++)
        {
            OpenEngines(out var f, out var s);
            var (fs, _) = Time(() => { f.Load(_data.T, _data); return 0; });
            var (ss, _) = Time(() => { s.Load(_data.T, _data); return 0; });
            Check(result, $"W1 rep {rep}", TableSummary(f), TableSummary(s), "foundry");
            fTimes.Add(fs);
            sTimes.Add(ss);
            Progress($"W1 {(timed ? $"rep {rep}/{reps}" : "untimed load")}: foundry {fs:0.000}s sqlite {ss:0.000}s");
            if (rep < reps)
            {
                Drop(f);
                Drop(s);
            }
            else
            {
                _foundry = f;
                _sqlite = s;
            }
        }
        _foundry.Checkpoint();
        _sqlite.Checkpoint();
        var fBytes = _foundry.FileBytes();
        var sBytes = _sqlite.FileBytes();
        var note = $"file size after load: foundry {fBytes / 1048576.0:0.0} MiB, sqlite {sBytes / 1048576.0:0.0} MiB (both after a checkpoint that empties the log), ratio {(double)fBytes / sBytes:0.00}";
        Progress(note);
        _report.Notes.Add(note);
        if (!timed) return;
        result.FoundryS = Median(fTimes);
        result.SqliteS = Median(sTimes);
        result.Extra["foundry_file_bytes"] = fBytes;
        result.Extra["sqlite_file_bytes"] = sBytes;
        Emit(result);
    }

    // W2 ------------------------------------------------------------------------------------------

    private WorkloadResult W2Point()
    {
        var rng = new SplitMix64(DataSet.Seed + 2);
        var ids = new long[PointLookups];
        for (var i = 0; i < ids.Length; i++) ids[i] = 1 + rng.NextInt(N);
        const string sql = "SELECT v FROM t WHERE id = $1";
        var result = Measure("W2", "point", e =>
        {
            var statement = Prepared(e, sql);
            long found = 0;
            double sum = 0;
            foreach (var id in ids)
            {
                using var rows = statement.Query(id);
                if (rows.Read())
                {
                    found++;
                    sum += rows.GetDouble(0);
                }
            }
            return Single(found, sum);
        });
        result.Operations = PointLookups;
        result.Unit = "lookups";
        if (PointLookups != DefaultPointLookups) Deviation($"W2 ran {PointLookups:#,0} lookups per repetition, not {DefaultPointLookups:#,0} (--point-lookups)");
        return result;
    }

    // W3 ------------------------------------------------------------------------------------------

    private WorkloadResult W3Range()
    {
        var rng = new SplitMix64(DataSet.Seed + 3);
        var width = Math.Max(1, N / 100);
        var lo = new long[RangeQueries];
        for (var i = 0; i < lo.Length; i++) lo[i] = 1 + rng.NextInt(N - width + 1);
        const string sql = "SELECT SUM(v) FROM t WHERE id BETWEEN $1 AND $2";
        var result = Measure("W3", "range", e =>
        {
            var statement = Prepared(e, sql);
            var set = new ResultSet();
            foreach (var l in lo)
            {
                using var rows = statement.Query(l, l + width - 1);
                rows.Read();
                set.Add([rows.GetDouble(0)]);
            }
            return set;
        });
        result.Operations = RangeQueries;
        result.Unit = "queries";
        if (RangeQueries != DefaultRangeQueries) Deviation($"W3 ran {RangeQueries:#,0} queries per repetition, not {DefaultRangeQueries:#,0} (--range-queries)");
        return result;
    }

    // W4 ------------------------------------------------------------------------------------------

    private WorkloadResult W4ScanAggregate()
    {
        const string sql = "SELECT k % 16 AS g, COUNT(*), SUM(v), AVG(v), MIN(s) FROM t WHERE v > 0.5 GROUP BY k % 16";
        return Measure("W4", "scan-aggregate",
            e => Sorted(ReadAll(e.Query(sql), 'i', 'i', 'r', 'r', 's'), r => (long)r[0]),
            limit: () =>
            {
                var count = new long[16];
                var sum = new double[16];
                var min = new string?[16];
                var k = _data.K;
                var v = _data.V;
                var s = _data.S;
                for (var i = 0; i < v.Length; i++)
                {
                    if (!(v[i] > 0.5)) continue;
                    var g = (int)(k[i] % 16);
                    count[g]++;
                    sum[g] += v[i];
                    if (min[g] is null || string.CompareOrdinal(s[i], min[g]) < 0) min[g] = s[i];
                }
                var set = new ResultSet();
                for (var g = 0; g < 16; g++)
                    if (count[g] > 0) set.Add([(long)g, count[g], sum[g], sum[g] / count[g], min[g]!]);
                return set;
            });
    }

    private static ResultSet Sorted<TKey>(ResultSet set, Func<object[], TKey> key)
    {
        var sorted = new ResultSet();
        sorted.AddRange(set.OrderBy(key));
        return sorted;
    }

    // W5 ------------------------------------------------------------------------------------------

    private WorkloadResult W5JoinAggregate()
    {
        const string sql = "SELECT d.name, COUNT(*), SUM(t.v) FROM t JOIN d ON t.k = d.id WHERE d.cat < 10 GROUP BY d.name";
        return Measure("W5", "join-aggregate",
            e => Sorted(ReadAll(e.Query(sql), 's', 'i', 'r'), r => (string)r[0]),
            limit: () =>
            {
                var build = new Dictionary<long, string>();
                for (var i = 0; i < _data.DId.Length; i++)
                    if (_data.DCat[i] < 10) build[_data.DId[i]] = _data.DName[i];
                var groups = new Dictionary<string, (long Count, double Sum)>(StringComparer.Ordinal);
                var k = _data.K;
                var v = _data.V;
                for (var i = 0; i < k.Length; i++)
                {
                    if (!build.TryGetValue(k[i], out var name)) continue;
                    ref var g = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(groups, name, out _);
                    g.Count++;
                    g.Sum += v[i];
                }
                var set = new ResultSet();
                foreach (var (name, g) in groups.OrderBy(p => p.Key, StringComparer.Ordinal)) set.Add([name, g.Count, g.Sum]);
                return set;
            });
    }

    // W6 ------------------------------------------------------------------------------------------

    private WorkloadResult W6aTopK()
    {
        const string sql = "SELECT id, v FROM t ORDER BY v DESC LIMIT 100";
        return Measure("W6a", "top-k", e => ReadAll(e.Query(sql), 'i', 'r'));
    }

    private WorkloadResult W6bFullSort()
    {
        const string sql = "SELECT s FROM t ORDER BY s";
        return Measure("W6b", "full sort", e =>
        {
            // Every row is read by the client; the order is checked through a hash of the sequence.
            long count = 0;
            var hash = 14695981039346656037UL;
            using var rows = e.Query(sql);
            while (rows.Read())
            {
                count++;
                foreach (var c in rows.GetString(0)) hash = (hash ^ c) * 1099511628211UL;
                hash = (hash ^ 0xFFFF) * 1099511628211UL;
            }
            return Single(count, (long)hash);
        });
    }

    // W7 ------------------------------------------------------------------------------------------

    private WorkloadResult W7SecondaryIndex()
    {
        const string create = "CREATE INDEX t_k ON t(k)";
        var fBuild = new List<double>();
        var sBuild = new List<double>();
        // The build is timed `Reps` times (dropping the index in between, untimed); the last build stays.
        for (var rep = 1; rep <= Reps; rep++)
        {
            if (rep > 1)
            {
                _foundry.Run("DROP INDEX t_k");
                _sqlite.Run("DROP INDEX t_k");
            }
            ForgetPrepared();
            var (fs, _) = Time(() => _foundry.Run(create));
            var (ss, _) = Time(() => _sqlite.Run(create));
            fBuild.Add(fs);
            sBuild.Add(ss);
            Progress($"W7 index build {rep}/{Reps}: foundry {fs:0.000}s sqlite {ss:0.000}s");
        }
        var rng = new SplitMix64(DataSet.Seed + 7);
        var keys = new long[IndexLookups];
        for (var i = 0; i < keys.Length; i++) keys[i] = rng.NextInt(10_000);
        const string sql = "SELECT COUNT(*) FROM t WHERE k = $1";
        var result = Measure("W7", "secondary-index", e =>
        {
            var statement = Prepared(e, sql);
            var set = new ResultSet();
            foreach (var key in keys)
            {
                using var rows = statement.Query(key);
                rows.Read();
                set.Add([rows.GetInt64(0)]);
            }
            return set;
        });
        result.Operations = IndexLookups;
        result.Unit = "queries";
        if (IndexLookups != DefaultIndexLookups) Deviation($"W7 ran {IndexLookups:#,0} queries per repetition, not {DefaultIndexLookups:#,0} (--index-lookups)");
        result.Extra["index_build_foundry_s"] = Median(fBuild);
        result.Extra["index_build_sqlite_s"] = Median(sBuild);
        result.Extra["index_build_ratio"] = Median(fBuild) / Median(sBuild);
        var note = $"W7 CREATE INDEX t_k ON t(k): foundry {Median(fBuild):0.000}s sqlite {Median(sBuild):0.000}s ratio {Median(fBuild) / Median(sBuild):0.00} (median of {Reps} builds)";
        Progress(note);
        _report.Notes.Add(note);
        return result;
    }

    // W8 ------------------------------------------------------------------------------------------

    private WorkloadResult W8DurableCommits()
    {
        var rows = _data.ExtraRows(DurableCommits);
        _sqlite.SetSynchronous("FULL");
        ForgetPrepared();
        var result = Measure("W8", "durable commits",
            e =>
            {
                e.DurableInserts(rows);
                return ReadAll(e.Query("SELECT COUNT(*), SUM(v) FROM t WHERE id > $1", (long)N), 'i', 'r');
            },
            reset: e => e.Run("DELETE FROM t WHERE id > $1", (long)N));
        _sqlite.SetSynchronous("NORMAL");
        result.Operations = DurableCommits;
        result.Unit = "commits";
        // Group commit: the same commits from 8 concurrent Foundry sessions, against one session.
        const int sessions = 8;
        var concurrent = new List<double>();
        var syncsBefore = 0L;
        for (var rep = 0; rep <= Reps; rep++)
        {
            if (rep == 1) syncsBefore = _foundry.LogSyncCount;
            var (seconds, _) = Time(() =>
            {
                _foundry.ConcurrentDurableInserts(rows, sessions);
                return 0;
            });
            if (rep > 0)
            {
                concurrent.Add(seconds);
                Progress($"W8 {sessions} sessions rep {rep}/{Reps}: {DurableCommits / seconds:0} commits/s");
            }
            _foundry.Run("DELETE FROM t WHERE id > $1", (long)N);
        }
        // The DELETE after each repetition syncs too (a few times, against 10,000 commits).
        var commitsPerSync = (double)DurableCommits * Reps / (_foundry.LogSyncCount - syncsBefore);
        var single = DurableCommits / result.FoundryS;
        var parallel = DurableCommits / Median(concurrent);
        result.Extra["foundry_8_sessions_commits_per_s"] = parallel;
        result.Extra["foundry_1_session_commits_per_s"] = single;
        result.Extra["group_commit_speedup"] = parallel / single;
        result.Extra["foundry_8_sessions_commits_per_fsync"] = commitsPerSync;
        var note = $"W8 group commit: foundry {sessions} sessions {parallel:0} commits/s vs 1 session {single:0} commits/s = {parallel / single:0.00}x, {commitsPerSync:0.0} commits per fsync";
        Progress(note);
        _report.Notes.Add(note);
        result.Method["foundry"] = FoundryEngine.DurableMethod;
        result.Method["sqlite"] = SqliteEngine.DurableMethod;
        return result;
    }

    // W9 ------------------------------------------------------------------------------------------

    private WorkloadResult W9Update()
    {
        const string update = "UPDATE t SET v = v * 0.5 WHERE k < 100";
        const string delete = "DELETE FROM t WHERE k >= 9900";
        var deleted = _data.T.Where(i => _data.K[i] >= 9900);
        var result = new WorkloadResult { Id = "W9", Name = "update", Rows = N, Reps = Reps };
        var times = new Dictionary<string, List<double>> { ["fu"] = [], ["fd"] = [], ["su"] = [], ["sd"] = [] };
        for (var rep = 0; rep <= Reps; rep++)
        {
            var label = rep == 0 ? "warm-up" : $"rep {rep}/{Reps}";
            var outcome = new Dictionary<string, ResultSet>();
            foreach (IEngine e in new IEngine[] { _foundry, _sqlite })
            {
                var tag = e.Name[0].ToString();
                var (us, updated) = Time(() => e.Run(update));
                var afterUpdate = ReadAll(e.Query("SELECT COUNT(*), SUM(v) FROM t WHERE k < 100"), 'i', 'r');
                var (ds, removed) = Time(() => e.Run(delete));
                var afterDelete = ReadAll(e.Query("SELECT COUNT(*), SUM(v) FROM t"), 'i', 'r');
                outcome[e.Name] = [[updated, removed], .. afterUpdate, .. afterDelete];
                if (rep > 0)
                {
                    times[tag + "u"].Add(us);
                    times[tag + "d"].Add(ds);
                }
                // Back to the state before the statements, untimed.
                e.Run("UPDATE t SET v = v * 2.0 WHERE k < 100");
                e.Load(deleted, null);
            }
            Check(result, $"W9 {label}", outcome["foundry"], outcome["sqlite"], "foundry");
            Check(result, $"W9 {label} (restored)", TableSummary(_foundry), TableSummary(_sqlite), "foundry");
            Progress($"W9 {label}: update foundry {times["fu"].LastOrDefault():0.000}s sqlite {times["su"].LastOrDefault():0.000}s; " +
                     $"delete foundry {times["fd"].LastOrDefault():0.000}s sqlite {times["sd"].LastOrDefault():0.000}s");
        }
        result.FoundryS = Median(times["fu"]) + Median(times["fd"]);
        result.SqliteS = Median(times["su"]) + Median(times["sd"]);
        result.Extra["update_foundry_s"] = Median(times["fu"]);
        result.Extra["update_sqlite_s"] = Median(times["su"]);
        result.Extra["delete_foundry_s"] = Median(times["fd"]);
        result.Extra["delete_sqlite_s"] = Median(times["sd"]);
        var note = $"W9 per statement: UPDATE foundry {Median(times["fu"]):0.000}s sqlite {Median(times["su"]):0.000}s ratio {Median(times["fu"]) / Median(times["su"]):0.00}; " +
                   $"DELETE foundry {Median(times["fd"]):0.000}s sqlite {Median(times["sd"]):0.000}s ratio {Median(times["fd"]) / Median(times["sd"]):0.00}";
        Progress(note);
        _report.Notes.Add(note);
        return result;
    }
}
